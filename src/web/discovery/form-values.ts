// Text typed into the discovery forms, turned into what the API takes: ports, one-per-line lists, TXT entries, a random key.

/** A whole number from 1 to 65535, or null. */
export function parsePort(text: string): number | null {
  const trimmed = text.trim();
  if (!/^\d{1,5}$/.test(trimmed)) return null;
  const port = Number(trimmed);
  return port >= 1 && port <= 65535 ? port : null;
}

/** One entry per non-empty line, trimmed. */
export const parseLines = (text: string): string[] =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);

/** `key=value` lines into a record; null when a line has no `=` or an empty key. The server checks the rest. */
export function parseTxtLines(text: string): Record<string, string> | null {
  const txt: Record<string, string> = {};
  for (const line of parseLines(text)) {
    const at = line.indexOf('=');
    if (at < 1) return null;
    txt[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return txt;
}

/** A Serf gossip key: 32 random bytes from the browser's CSPRNG, base64 (Serf's `keygen` makes the same). */
export function generateGossipKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes));
}
