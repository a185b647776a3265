// DNS-SD naming and TXT rules shared by the embedded mDNS backend and avahi's service files (RFC 6763); pure.

/** One service this node publishes; `type` is Cloudy's short name ('syncthing'), `name` the DNS-SD instance name. */
export interface MdnsAdvert { name: string; type: string; protocol: 'tcp' | 'udp'; port: number; txt: Record<string, string> }

/** One service seen on the LAN; `host` is the SRV target without trailing dot ('h1.local'), IPv4 addresses first. */
export interface MdnsSighting {
  name: string; type: string; protocol: 'tcp' | 'udp'; host: string; addresses: string[]; port: number; txt: Record<string, string>;
}

export class MdnsAdvertError extends Error { override name = 'MdnsAdvertError'; }

/** 'syncthing', 'tcp' → '_syncthing._tcp' (RFC 6763 §7). */
export function dnsSdType(type: string, protocol: 'tcp' | 'udp'): string { return `_${type}._${protocol}`; }

/** `_syncthing._tcp.local` → { type: 'syncthing', protocol: 'tcp' }; undefined for anything that is not a plain service type. */
export function parseServiceType(name: string): { type: string; protocol: 'tcp' | 'udp' } | undefined {
  const match = /^_([a-z0-9][a-z0-9_-]{0,61})\._(tcp|udp)\.local\.?$/i.exec(name);
  return match ? { type: match[1]!.toLowerCase(), protocol: match[2]!.toLowerCase() as 'tcp' | 'udp' } : undefined;
}

const CONTROL = /[\x00-\x1f\x7f]/;
// Control characters other than TAB, LF and CR, which TXT values may hold.
const BINARY_JUNK = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * TXT strings → key/value pairs (RFC 6763 §6): skips zero-length strings (the empty-TXT placeholder, §6.1),
 * strings starting with '=' (§6.4), strings that are not UTF-8 or hold control characters other than TAB/LF/CR
 * (binary junk); a key without '=' is a boolean attribute with value ''; the first occurrence of a key wins.
 */
export function decodeTxt(strings: readonly Uint8Array[]): Record<string, string> {
  const txt: Record<string, string> = {};
  const seen = new Set<string>();
  for (const bytes of strings) {
    let text: string;
    try { text = utf8.decode(bytes); } catch { continue; }
    const equals = text.indexOf('=');
    const key = equals === -1 ? text : text.slice(0, equals);
    if (!key || BINARY_JUNK.test(text) || seen.has(key.toLowerCase())) continue;
    seen.add(key.toLowerCase());
    txt[key] = equals === -1 ? '' : text.slice(equals + 1);
  }
  return txt;
}

/** Throws MdnsAdvertError naming the field and the fix. */
export function checkAdvert(advert: MdnsAdvert): void {
  const fail = (field: string, problem: string): never => {
    throw new MdnsAdvertError(`Advert "${advert.name}" (${advert.type}): ${field} ${problem}.`);
  };
  const nameBytes = Buffer.byteLength(advert.name);
  // RFC 6763 §4.1.1: at most 63 bytes of UTF-8, no control characters.
  if (nameBytes < 1 || nameBytes > 63) fail('name', `is ${nameBytes} bytes; use 1 to 63 bytes of UTF-8`);
  if (CONTROL.test(advert.name)) fail('name', 'contains control characters or line breaks; remove them');
  // RFC 6763 §7.2 asks for at most 15 characters, but avahi does not enforce it and Cloudy's types go to 32;
  // avahi rejects '_x' (a one-character type), so require two.
  if (!/^[a-z0-9][a-z0-9-]{1,61}$/i.test(advert.type)) fail('type', 'must be 2-62 letters, digits or hyphens, like "syncthing"');
  if (advert.protocol !== 'tcp' && advert.protocol !== 'udp') fail('protocol', 'must be "tcp" or "udp"');
  if (!Number.isInteger(advert.port) || advert.port < 1 || advert.port > 65535) fail('port', 'must be an integer from 1 to 65535');
  const keys = new Set<string>();
  for (const [key, value] of Object.entries(advert.txt)) {
    // RFC 6763 §6.4: keys are printable US-ASCII except '=', case-insensitive; §6.1: each string ≤ 255 bytes.
    if (!/^[\x20-\x3c\x3e-\x7e]+$/.test(key)) fail(`txt key "${key}"`, 'must be printable ASCII without "="');
    if (keys.has(key.toLowerCase())) fail(`txt key "${key}"`, 'appears twice (keys are case-insensitive)');
    keys.add(key.toLowerCase());
    if (typeof value !== 'string' || BINARY_JUNK.test(value)) fail(`txt "${key}"`, 'must be text without control characters');
    if (Buffer.byteLength(`${key}=${value}`) > 255) fail(`txt "${key}"`, 'is longer than 255 bytes as key=value; shorten the value');
  }
}

/** The adverts that pass checkAdvert(), copied, and only the first of several with one name and type; the others go to report(). */
export function validAdverts(adverts: readonly MdnsAdvert[], report: (error: MdnsAdvertError) => void): MdnsAdvert[] {
  const valid: MdnsAdvert[] = [];
  const id = (advert: MdnsAdvert) => `${advert.name.toLowerCase()}|${dnsSdType(advert.type, advert.protocol).toLowerCase()}`;
  for (const advert of adverts) {
    try {
      checkAdvert(advert);
      if (valid.some((other) => id(other) === id(advert))) {
        throw new MdnsAdvertError(`Advert "${advert.name}" (${advert.type}) is listed twice; give each advert a distinct name.`);
      }
      valid.push({ ...advert, txt: { ...advert.txt } });
    } catch (error) {
      report(error as MdnsAdvertError);
    }
  }
  return valid;
}

/** Conflict renaming: "Name" → "Name (2)", truncated (whole characters) so the result stays within 63 bytes. */
export function renamed(name: string, attempt: number): string {
  if (attempt < 2) return name;
  const suffix = ` (${attempt})`;
  let base = name;
  while (Buffer.byteLength(base + suffix) > 63) base = Array.from(base).slice(0, -1).join('');
  return base + suffix;
}
