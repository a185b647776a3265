// Names and strings for a zone file from untrusted text (discovery records): RFC 1035 limits, zone-file escapes.
const encoder = new TextEncoder();

/** A label is at most 63 octets, a name at most 255 on the wire (RFC 1035 §2.3.4); a TXT string at most 255. */
export const MAX_LABEL_OCTETS = 63;
export const MAX_NAME_OCTETS = 255;
export const MAX_TXT_OCTETS = 255;

const octets = (text: string) => encoder.encode(text).length;

/** The longest prefix of `text` of at most `max` UTF-8 octets, cut between code points. */
export function cutToOctets(text: string, max: number): string {
  let used = 0;
  let kept = '';
  for (const char of text) {
    used += octets(char);
    if (used > max) break;
    kept += char;
  }
  return kept;
}

/** Control characters (newlines, NUL, DEL, C1) become spaces; runs of white space one space. */
const plainLine = (text: string) => text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ').replace(/\s+/g, ' ').trim();

/**
 * A host name label: lower-case letters, digits and '-' (RFC 952/1123), other characters '-', at most 63; null when
 * nothing is left. `a.b` becomes `a-b`: one node name is one label, never a name in a zone of its own.
 */
export function hostLabel(text: string): string | null {
  const label = text.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-').slice(0, MAX_LABEL_OCTETS).replace(/^-+|-+$/g, '');
  return label === '' ? null : label;
}

/**
 * A DNS-SD instance name (RFC 6763 §4.1.1: any UTF-8, at most 63 octets) as raw text, without control characters;
 * null when empty. It is escaped for the zone file by `escapeLabel`.
 */
export function instanceName(text: string): string | null {
  const name = cutToOctets(plainLine(text), MAX_LABEL_OCTETS).trim();
  return name === '' ? null : name;
}

/** One label in zone-file form: octets other than letters, digits, '-' and '_' as \DDD (RFC 1035 §5.1). */
export function escapeLabel(label: string): string {
  let out = '';
  for (const byte of encoder.encode(label)) {
    const char = String.fromCharCode(byte);
    out += /[A-Za-z0-9_-]/.test(char) ? char : `\\${String(byte).padStart(3, '0')}`;
  }
  return out;
}

/** Wire length of the name made of `labels` (raw, unescaped) under `zone` (a dotted name without the final dot). */
export function nameOctets(labels: string[], zone: string): number {
  return [...labels, ...zone.split('.')].reduce((total, label) => total + octets(label) + 1, 1);
}

/**
 * A TXT character-string in zone-file form: at most 255 octets of its text, `"` and `\` escaped and every octet
 * outside printable ASCII as \DDD, so a quote, semicolon or newline stays inside the string (RFC 1035 §5.1).
 */
export function txtString(text: string): string {
  let out = '"';
  for (const byte of encoder.encode(cutToOctets(text, MAX_TXT_OCTETS))) {
    if (byte === 0x22 || byte === 0x5c) out += `\\${String.fromCharCode(byte)}`;
    else if (byte < 0x20 || byte > 0x7e) out += `\\${String(byte).padStart(3, '0')}`;
    else out += String.fromCharCode(byte);
  }
  return `${out}"`;
}
