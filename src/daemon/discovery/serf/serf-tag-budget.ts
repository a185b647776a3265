// The byte budget of a node's Serf tags (512 bytes for all of them) and how many legacy services fit in it.
import { encodeLegacyServicesTag, type LegacyService } from './legacy-services-tag.ts';

/** memberlist.MetaMaxSize: the agent refuses larger tags with "Encoded length of tags exceeds limit of 512 bytes". */
export const SERF_TAGS_LIMIT = 512;

// Serf's encodeTags (serf/serf.go) writes one magic byte, then the map[string]string with hashicorp/go-msgpack,
// which follows the OLD msgpack spec: every string is "raw" — fixraw up to 31 bytes, then raw16, raw32, no str8.
// Measured against the agent (lab report §3 "Size limits"): a lone 498-byte `services` value is exactly 512.
const MAGIC_BYTE = 1;
const FIXRAW_MAX_BYTES = 31;
const FIXMAP_MAX_ENTRIES = 15;

/** Header size of a msgpack raw string or map: one byte up to the "fix" limit, then a 16-bit, then a 32-bit length. */
function headerSize(length: number, fixLimit: number): number {
  if (length <= fixLimit) return 1;
  return length <= 0xffff ? 3 : 5;
}

function rawStringSize(text: string): number {
  const bytes = Buffer.byteLength(text, 'utf8');
  return headerSize(bytes, FIXRAW_MAX_BYTES) + bytes;
}

/** Size of the node's tag map as Serf encodes it (1 magic byte + old-spec msgpack map of raw strings). */
export function encodedTagsSize(tags: Record<string, string>): number {
  const entries = Object.entries(tags);
  const body = entries.reduce((sum, [key, value]) => sum + rawStringSize(key) + rawStringSize(value), 0);
  return MAGIC_BYTE + headerSize(entries.length, FIXMAP_MAX_ENTRIES) + body;
}

export interface LegacyServicesFit {
  /** The `services` tag value, or null when not even one service fits (then set no `services` tag). */
  value: string | null;
  included: number;
  total: number;
}

/**
 * The largest prefix of `services` (in priority order) whose legacy tag fits next to `otherTags` within `limit`.
 * bzip2 output does not grow monotonically with its input, so the search only ever keeps a count whose tag was
 * encoded and measured: the result always fits, and one more service did not.
 */
export function fitLegacyServices(
  services: LegacyService[],
  otherTags: Record<string, string>,
  limit: number = SERF_TAGS_LIMIT,
): LegacyServicesFit {
  const fittingValue = (count: number): string | null => {
    const value = encodeLegacyServicesTag(services.slice(0, count));
    return encodedTagsSize({ ...otherTags, services: value }) <= limit ? value : null;
  };
  const { count, value } = largestFittingCount(services.length, fittingValue);
  return { value, included: count, total: services.length };
}

/**
 * Gallops 1, 2, 4, … until a count does not fit (so a long list is never compressed whole just to learn it is far
 * too big), then bisects between the largest count that fitted and the smallest that did not.
 */
function largestFittingCount(total: number, fittingValue: (count: number) => string | null): { count: number; value: string | null } {
  let best: { count: number; value: string | null } = { count: 0, value: null };
  let tooMany = total + 1;
  const tryCount = (count: number): boolean => {
    const value = fittingValue(count);
    if (value === null) tooMany = count;
    else best = { count, value };
    return value !== null;
  };
  let probe = 1;
  while (probe <= total && tryCount(probe)) probe = probe === total ? total + 1 : Math.min(probe * 2, total);
  while (tooMany - best.count > 1) tryCount((best.count + tooMany) >>> 1);
  return best;
}
