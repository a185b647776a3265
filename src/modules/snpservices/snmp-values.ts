// Pure reading of values from untrusted SNMP agents: OIDs compared as numbers, Counter64 bytes, display strings.

/** Longest name kept from a device (sysName, ifName, ifDescr); the rest is cut. */
export const NAME_LENGTH = 64;

/** C0 and C1 controls, DEL, and the bidirectional overrides that could reorder a name on screen. */
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Text a device sent, safe to show: decoded as UTF-8 (bad bytes become U+FFFD), controls removed, cut to `maxLength` characters. */
export function displayString(value: Buffer | string, maxLength = NAME_LENGTH): string {
  // Decode at most 4 bytes per kept character: a long answer costs no more than a short one.
  const text = typeof value === 'string' ? value.slice(0, maxLength * 4) : value.subarray(0, maxLength * 4).toString('utf8');
  return Array.from(text.replace(CONTROL_CHARACTERS, '').trim()).slice(0, maxLength).join('').trim();
}

/** The sub-identifiers of a dotted OID, or null when it is not one (an agent's answer is not trusted to be). */
export function parseOid(oid: string): number[] | null {
  if (!/^\d+(\.\d+)*$/.test(oid) || oid.length > 1024) return null;
  const parts = oid.split('.').map(Number);
  return parts.every((part) => part <= 0xffffffff) ? parts : null;
}

/** Whether `after` comes after `before` in the agent's (lexicographic, RFC 3416) order. */
export function oidFollows(before: string, after: string): boolean {
  const a = parseOid(before);
  const b = parseOid(after);
  if (!a || !b) return false;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return b[i]! > a[i]!;
  }
  return b.length > a.length;
}

/** The table index of `oid` under the column `base` when it is one sub-identifier (ifIndex: 1..2^31-1), else null. */
export function columnIndex(base: string, oid: string): number | null {
  if (!oid.startsWith(`${base}.`)) return null;
  const rest = oid.slice(base.length + 1);
  if (!/^[1-9]\d{0,9}$/.test(rest)) return null;
  const index = Number(rest);
  return index <= 0x7fffffff ? index : null;
}

/**
 * A Counter64 as net-snmp hands it over: the BER integer's content bytes, big-endian, with a leading zero byte when the
 * top bit is set. Null when it cannot be an unsigned 64-bit value.
 */
export function counter64(bytes: Buffer): bigint | null {
  if (bytes.length === 0 || bytes.length > 9 || (bytes.length === 9 && bytes[0] !== 0)) return null;
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}
