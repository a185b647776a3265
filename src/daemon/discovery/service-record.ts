// Service records from untrusted sources: normalised, length- and charset-limited before anything keeps them.
import net from 'node:net';

import { MICROCLOUD_PATTERN, SERVICE_TYPE_PATTERN, TXT_KEY_PATTERN } from '../../shared/discovery-contract.ts';

/** A record as every backend hands it over, after `cleanRecord`. */
export interface CleanRecord {
  type: string;
  description: string;
  node: string;
  nodeId: string;
  address: string;
  port: number;
  microcloud: string;
  txt: Record<string, string>;
}

export const RECORD_LIMITS = {
  descriptionChars: 120,
  nodeChars: 63,
  nodeIdChars: 80,
  txtEntries: 16,
  txtValueChars: 255,
} as const;

const TYPE = new RegExp(SERVICE_TYPE_PATTERN);
const TXT_KEY = new RegExp(TXT_KEY_PATTERN);
const MICROCLOUD = new RegExp(MICROCLOUD_PATTERN);
// Control characters (C0, DEL, C1), bidi overrides and zero-width marks: they can disguise what a row says.
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

/** Half of a UTF-16 surrogate pair without its other half: not a character at all. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export const recordKey = (record: Pick<CleanRecord, 'nodeId' | 'type' | 'port'>): string => `${record.nodeId}/${record.type}/${record.port}`;

/** `_syncthing._tcp`, `_syncthing._tcp.local`, `syncthing`, `Syncthing` → `syncthing`; anything else → null. */
export function shortType(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > 80) return null;
  const short = value.toLowerCase().replace(/\.local\.?$/, '').replace(/\._(tcp|udp)$/, '').replace(/^_/, '');
  return TYPE.test(short) ? short : null;
}

/** One line of printable text, at most `max` characters (cut on a code point, never inside one). */
export function cleanText(value: unknown, max: number): string {
  if (typeof value !== 'string' && typeof value !== 'number') return '';
  // The first cut bounds the work; it may fall inside a surrogate pair, and a peer may send half of one itself.
  const text = String(value).slice(0, max * 4).replace(INVISIBLE, ' ').replace(LONE_SURROGATE, ' ').replace(/\s+/g, ' ').trim();
  return [...text].slice(0, max).join('');
}

/** A host name label sequence; other characters become '-', so a hostile name stays readable but harmless. */
export function cleanNodeName(value: unknown): string {
  const text = cleanText(value, RECORD_LIMITS.nodeChars).replace(/[^A-Za-z0-9.-]/g, '-').replace(/^[.-]+|[.-]+$/g, '');
  return text || 'unknown';
}

export const cleanNodeId = (value: unknown): string => cleanText(value, RECORD_LIMITS.nodeIdChars).replace(/[^A-Za-z0-9:._-]/g, '-');

export function cleanMicrocloud(value: unknown): string {
  const text = typeof value === 'string' ? value.toLowerCase() : '';
  return MICROCLOUD.test(text) ? text : '';
}

/** Integers 0–65535, also as digit strings (the 2015 format wrote ports as strings; tahoe-lafs used 0). */
export function cleanPort(value: unknown): number | null {
  const port = typeof value === 'string' && /^\d{1,5}$/.test(value) ? Number(value) : value;
  return typeof port === 'number' && Number.isInteger(port) && port >= 0 && port <= 65535 ? port : null;
}

export function cleanAddress(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > 45) return null;
  const bare = value.startsWith('::ffff:') && net.isIPv4(value.slice(7)) ? value.slice(7) : value;
  return net.isIP(bare) ? bare : null;
}

/** At most 16 entries with well-formed keys; values one printable line; anything else dropped. */
export function cleanTxt(value: unknown): Record<string, string> {
  const txt: Record<string, string> = {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return txt;
  for (const [key, raw] of Object.entries(value).slice(0, 64)) {
    if (Object.keys(txt).length >= RECORD_LIMITS.txtEntries) break;
    if (!TXT_KEY.test(key) || (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean')) continue;
    txt[key] = cleanText(String(raw), RECORD_LIMITS.txtValueChars);
  }
  return txt;
}

/** `k=v k2=v2` (the 2015 TXT form, '&' also accepted) → record; malformed pairs dropped. */
export function parseTxtPairs(text: string): Record<string, string> {
  const pairs = text.split(/[\s&]+/).filter(Boolean).map((pair) => {
    const at = pair.indexOf('=');
    return at > 0 ? [pair.slice(0, at), pair.slice(at + 1)] : [pair, ''];
  });
  return cleanTxt(Object.fromEntries(pairs));
}

export const formatTxtPairs = (txt: Record<string, string>): string =>
  Object.entries(txt)
    .map(([key, value]) => `${key}=${value.replace(/\s/g, '_')}`)
    .join(' ');

/** Null when the record cannot be used at all (no type, address or port); otherwise a bounded, printable copy. */
export function cleanRecord(input: Partial<Record<keyof CleanRecord, unknown>>): CleanRecord | null {
  const type = shortType(input.type);
  const address = cleanAddress(input.address);
  const port = cleanPort(input.port);
  const nodeId = cleanNodeId(input.nodeId);
  if (type === null || address === null || port === null || !nodeId) return null;
  return {
    type,
    description: cleanText(input.description, RECORD_LIMITS.descriptionChars) || type,
    node: cleanNodeName(input.node),
    nodeId,
    address,
    port,
    microcloud: cleanMicrocloud(input.microcloud),
    txt: cleanTxt(input.txt),
  };
}
