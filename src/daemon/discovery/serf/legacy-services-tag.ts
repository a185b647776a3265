// The 2015 Cloudy Serf tag `services`: written and read so old Cloudy nodes and ours see each other's services.
//
// Format source: Clommunity/package-serf, usr/share/avahi-ps/plugs/avahi-ps-serf. `setToMyServices` builds each
// entry, `comprimir` is `bzip2 - | base64 -w 0`, `descomprimir` is `base64 -d - | bunzip2 -`, then `jq`.
import { Bzip2OutputLimitError, bzip2Compress, bzip2DecompressBounded } from './bounded-bzip2.ts';

/** One entry of the 2015 tag, with the plug-in's one-letter keys. */
export interface LegacyService {
  /** Service type, e.g. "syncthing". */
  s: string;
  /** Description with spaces written as "_" (`serf_add_service`: `sed 's/ /_/g'`). */
  d: string;
  /** "<node>.<microcloud>.local". */
  m: string;
  /** IPv4 address. */
  i: string;
  /** Port, as a string. */
  p: string;
  /** Device name. */
  e: string;
  /** TXT as "key=value key=value" (written with "&" between pairs: see legacyReadable). */
  t: string;
}

export class LegacyTagError extends Error {
  override name = 'LegacyTagError';
}

export interface LegacyTagLimits {
  /** A real tag is at most 498 characters (Serf's 512-byte cap), so anything far longer is not one. */
  maxValueChars?: number;
  /** Cap on bzip2 output: a few hundred compressed bytes can otherwise expand to tens of megabytes. */
  maxDecodedBytes?: number;
  maxEntries?: number;
  /** An entry with a longer field is skipped. */
  maxFieldChars?: number;
}

export const LEGACY_TAG_LIMITS: Required<LegacyTagLimits> = {
  maxValueChars: 1024, // Serf caps all tags at 512 bytes; twice that leaves room and bounds decoding work.
  maxDecodedBytes: 64 * 1024,
  maxEntries: 256,
  maxFieldChars: 1024,
};

/**
 * base64(bzip2(JSON.stringify(services))) exactly as the 2015 plug-in wrote it (old nodes must decode it with
 * base64 -d | bunzip2), each entry first made readable by 2015 nodes (see legacyReadable).
 */
export function encodeLegacyServicesTag(services: LegacyService[]): string {
  // The plug-in piped `echo "[…]"`, so its JSON ended in "\n"; jq does not need it, and every byte counts here.
  const json = JSON.stringify(services.map(legacyReadable));
  return Buffer.from(bzip2Compress(Buffer.from(json, 'utf8'))).toString('base64');
}

// 2015 readers run `jq -c .[]` on the list, split the result on spaces (`for i in $myServices`) and apply
// `sed "s/'/\"/g"` (serf_find_, getMyServices). Tried with the plug-in: one space in any field of any node breaks
// the JSON of their whole search result; an apostrophe makes them drop that node's services. Tabs, quotes,
// backslashes and non-ASCII text survive, because jq escapes or keeps them.
const readableText = (text: string) => text.replace(/ /g, '_').replace(/'/g, '’');

/**
 * The entry in the plug-in's key order, which its look-ups need (`grep '"s":"'$_Type'"'.*'"p":"'$_Port'"'`), with
 * spaces written as "_" (as the plug-in wrote descriptions), apostrophes as "’", and TXT pairs joined with "&"
 * (the plug-in's own input separator before `tr "&" " "`) instead of spaces.
 */
function legacyReadable(service: LegacyService): LegacyService {
  const { s, d, m, i, p, e, t } = service;
  const txt = t.split(' ').filter(Boolean).join('&');
  return { s: readableText(s), d: readableText(d), m: readableText(m), i: readableText(i), p: readableText(p), e: readableText(e), t: readableText(txt) };
}

/** Decodes an untrusted tag value from a remote peer; throws LegacyTagError when it is not a 2015 services tag. */
export function decodeLegacyServicesTag(value: string, limits: LegacyTagLimits = {}): LegacyService[] {
  const max = withDefaults(limits);
  const compressed = base64Bytes(value, max.maxValueChars);
  const json = decompressedText(compressed, max.maxDecodedBytes);
  return servicesFromJson(json, max);
}

function withDefaults(limits: LegacyTagLimits): Required<LegacyTagLimits> {
  return {
    maxValueChars: limits.maxValueChars ?? LEGACY_TAG_LIMITS.maxValueChars,
    maxDecodedBytes: limits.maxDecodedBytes ?? LEGACY_TAG_LIMITS.maxDecodedBytes,
    maxEntries: limits.maxEntries ?? LEGACY_TAG_LIMITS.maxEntries,
    maxFieldChars: limits.maxFieldChars ?? LEGACY_TAG_LIMITS.maxFieldChars,
  };
}

// `base64 -w0` output: padded, no line breaks. Buffer.from(…, 'base64') alone would skip any junk silently.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function base64Bytes(value: unknown, maxChars: number): Buffer {
  if (typeof value !== 'string') throw new LegacyTagError('The services tag is not a string.');
  if (value.length > maxChars) {
    throw new LegacyTagError(`The services tag is ${value.length} characters long; a 2015 Cloudy tag has at most ${maxChars}.`);
  }
  if (!BASE64.test(value)) throw new LegacyTagError('The services tag is not base64 (expected base64 -w0 of bzip2 data).');
  return Buffer.from(value, 'base64');
}

function decompressedText(compressed: Uint8Array, maxBytes: number): string {
  let bytes: Uint8Array;
  try {
    bytes = bzip2DecompressBounded(compressed, maxBytes);
  } catch (error) {
    if (error instanceof Bzip2OutputLimitError) {
      throw new LegacyTagError(`The services tag decompresses to more than ${maxBytes} bytes; it is refused as a possible bzip2 bomb.`);
    }
    throw new LegacyTagError(`The services tag is not valid bzip2 data (${(error as Error).message}).`, { cause: error });
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    throw new LegacyTagError('The services tag does not decompress to UTF-8 text.', { cause: error });
  }
}

function servicesFromJson(json: string, max: Required<LegacyTagLimits>): LegacyService[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    throw new LegacyTagError('The services tag does not hold JSON.', { cause: error });
  }
  if (!Array.isArray(parsed)) throw new LegacyTagError('The services tag holds JSON but not an array of services.');
  const services: LegacyService[] = [];
  for (const entry of parsed) {
    if (services.length === max.maxEntries) break;
    const service = legacyServiceFrom(entry, max.maxFieldChars);
    if (service) services.push(service);
  }
  return services;
}

const LEGACY_FIELDS = ['s', 'd', 'm', 'i', 'p', 'e', 't'] as const satisfies readonly (keyof LegacyService)[];

/** The entry as a LegacyService, or undefined when it is not an object or any field is missing, odd or too long. */
function legacyServiceFrom(entry: unknown, maxFieldChars: number): LegacyService | undefined {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return undefined;
  const record = entry as Record<string, unknown>;
  const service: Partial<LegacyService> = {};
  for (const key of LEGACY_FIELDS) {
    const text = fieldText(record[key]);
    if (text === undefined || text.length > maxFieldChars) return undefined;
    service[key] = text;
  }
  return service as LegacyService;
}

// Numbers are accepted because a hand-written or other-tool tag may carry the port as a JSON number.
function fieldText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}
