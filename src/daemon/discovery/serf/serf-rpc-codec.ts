// Wire side of the Serf RPC client: bounded msgpack decoding and defensive parsing of the agent's reply bodies.
import type { DecoderOptions } from '@msgpack/msgpack';

export interface SerfMember {
  name: string;
  /** Text form: '10.1.2.3' for IPv4 and IPv4-mapped addresses, RFC 5952 text for IPv6. */
  addr: string;
  port: number;
  tags: Record<string, string>;
  /** alive | leaving | left | failed | none */
  status: string;
  protocolCur: number;
}
export interface SerfCoordinate { vec: number[]; error: number; adjustment: number; height: number }
export type SerfStreamEvent =
  | { event: 'member-join' | 'member-leave' | 'member-failed' | 'member-update' | 'member-reap'; members: SerfMember[] }
  | { event: 'user'; name: string; payload: Buffer; ltime: number; coalesce: boolean }
  | { event: 'query'; id: number; name: string; payload: Buffer; ltime: number };
export interface SerfQueryResponse { from: string; payload: Buffer }
export interface SerfResponseHeader { seq: number; error: string }
export type SerfQueryRecord = { type: string; from: string; payload: Buffer };

// Member tags, event payloads and query answers come from remote peers: cap what the decoder will allocate.
// Serf's own limits are far below these (tags 512 B, events 512 B, queries 1 KiB); member lists of a few
// thousand nodes still fit.
const MAX_BYTES = 64 * 1024;
const MAX_ITEMS = 100_000;
/** Replaces a map key `__proto__` (which @msgpack/msgpack refuses by failing the whole stream); parsers drop it. */
const DROPPED_KEY = '\u0000__proto__';
const utf8 = new TextDecoder();

export const SERF_DECODER_OPTIONS: DecoderOptions = {
  maxStrLength: MAX_BYTES,
  maxBinLength: MAX_BYTES,
  maxExtLength: MAX_BYTES,
  maxArrayLength: MAX_ITEMS,
  maxMapLength: MAX_ITEMS,
  // A peer can name a tag `__proto__`; renaming it here keeps one hostile tag from closing our connection.
  keyDecoder: {
    canBeCached: () => true,
    decode(bytes: Uint8Array, offset: number, length: number): string {
      const key = utf8.decode(bytes.subarray(offset, offset + length));
      return key === '__proto__' ? DROPPED_KEY : key;
    },
  },
};

const MEMBER_EVENTS = new Set(['member-join', 'member-leave', 'member-failed', 'member-update', 'member-reap'] as const);
type MemberEventName = typeof MEMBER_EVENTS extends Set<infer Name> ? Name : never;

type WireRecord = Record<string, unknown>;
export const isWireRecord = (value: unknown): value is WireRecord =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;
const countOr = (value: unknown, fallback: number): number => (isCount(value) ? value : fallback);
/** Go encodes an empty []byte as nil. Copied so a payload does not pin the decoder's receive buffer. */
const payloadOf = (value: unknown): Buffer => (value instanceof Uint8Array ? Buffer.from(value) : Buffer.alloc(0));

/**
 * Every reply and stream record starts with `{Seq, Error}` (rpc.html.markdown, "Implementation Details");
 * no body has exactly these two keys, which lets the reader tell a header from a body it did not expect.
 */
export function parseResponseHeader(value: unknown): SerfResponseHeader | undefined {
  if (!isWireRecord(value) || Object.keys(value).length !== 2) return undefined;
  return isCount(value.Seq) && typeof value.Error === 'string' ? { seq: value.Seq, error: value.Error } : undefined;
}

// ipc.go answers these two errors with a bare header, even for commands whose reply normally has a body.
const BARE_ERRORS = new Set(['Authentication required', 'Handshake required']);
// ipc.go sends the join body ({Num}) even when the join failed.
const BODY_EVEN_ON_ERROR = new Set(['join']);

/** For a command whose successful reply carries a body: does one follow this reply's header? */
export const replyBodyFollows = (command: string, error: string): boolean =>
  error === '' || (BODY_EVEN_ON_ERROR.has(command) && !BARE_ERRORS.has(error));

const HINTS: Array<[RegExp, string]> = [
  [/^Invalid authentication token$/, 'Check that authKey matches rpc_auth in the agent configuration.'],
  [/^Authentication required$/, 'The agent has rpc_auth set: pass authKey to SerfRpcClient.connect.'],
  [/^Encoded length of tags exceeds/, 'All tags of a node together must fit in 512 bytes: keep only a digest in tags.'],
  [/exceeds (configured )?limit/, 'User events must stay under 512 bytes, queries and query responses under 1024 bytes.'],
  [/^No pending queries matching ID$/, 'Answer a query before its timeout, on the connection that streamed it.'],
];

/** A sentence for an agent's `Error` text (which may span lines, e.g. join's), with a fix where we know one. */
export function describeAgentError(command: string, agentError: string): string {
  const text = agentError.replace(/\s+/g, ' ').trim().replace(/\.$/, '');
  const hint = HINTS.find(([pattern]) => pattern.test(text))?.[1];
  return `The Serf agent refused "${command}": ${text}.${hint ? ` ${hint}` : ''}`;
}

/** `Addr` is Go's net.IP: 4 bytes, or 16 bytes that may hold an IPv4-mapped address (::ffff:a.b.c.d). */
export function formatIpAddress(bytes: Uint8Array): string | undefined {
  if (bytes.length === 4) return bytes.join('.');
  if (bytes.length !== 16) return undefined;
  if (bytes.subarray(0, 10).every((byte) => byte === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
    return bytes.subarray(12).join('.');
  }
  const groups = Array.from({ length: 8 }, (_, i) => (bytes[2 * i]! << 8) | bytes[2 * i + 1]!);
  // RFC 5952 §4.2: the longest run (first on a tie) of two or more zero groups becomes "::".
  let bestStart = -1;
  let bestLength = 1;
  for (let start = 0; start < 8; start++) {
    let length = 0;
    while (start + length < 8 && groups[start + length] === 0) length++;
    if (length > bestLength) [bestStart, bestLength] = [start, length];
    start += length;
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/** Tag values are strings in Serf; anything else from a peer is dropped rather than trusted. */
export function parseTags(value: unknown): Record<string, string> {
  if (!isWireRecord(value)) return {};
  return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] =>
    typeof entry[1] === 'string' && entry[0] !== DROPPED_KEY));
}

/** One entry of `Members` (rpc.html.markdown, "members"); undefined when it has no name or no usable address. */
export function parseMember(value: unknown): SerfMember | undefined {
  if (!isWireRecord(value) || typeof value.Name !== 'string') return undefined;
  const addr = value.Addr instanceof Uint8Array ? formatIpAddress(value.Addr) : undefined;
  if (addr === undefined) return undefined;
  return {
    name: value.Name,
    addr,
    port: countOr(value.Port, 0),
    tags: parseTags(value.Tags),
    status: typeof value.Status === 'string' ? value.Status : 'none',
    protocolCur: countOr(value.ProtocolCur, 0),
  };
}

/** Members we cannot describe are skipped; a Go nil slice arrives as null. */
export function parseMembers(value: unknown): SerfMember[] {
  if (!Array.isArray(value)) return [];
  return value.map(parseMember).filter((member): member is SerfMember => member !== undefined);
}

/** A record of an event `stream` (rpc.html.markdown, "stream"); undefined for kinds this client does not model. */
export function parseStreamEvent(value: unknown): SerfStreamEvent | undefined {
  if (!isWireRecord(value) || typeof value.Event !== 'string') return undefined;
  const kind = value.Event;
  if (MEMBER_EVENTS.has(kind as MemberEventName)) return { event: kind as MemberEventName, members: parseMembers(value.Members) };
  if (typeof value.Name !== 'string') return undefined;
  const common = { name: value.Name, payload: payloadOf(value.Payload), ltime: countOr(value.LTime, 0) };
  if (kind === 'user') return { event: 'user', ...common, coalesce: value.Coalesce === true };
  if (kind === 'query' && isCount(value.ID)) return { event: 'query', id: value.ID, ...common };
  return undefined;
}

/** A record of a `query` subscription: Type ack, response or done (rpc.html.markdown, "query"). */
export function parseQueryRecord(value: unknown): SerfQueryRecord | undefined {
  if (!isWireRecord(value) || typeof value.Type !== 'string') return undefined;
  return { type: value.Type, from: typeof value.From === 'string' ? value.From : '', payload: payloadOf(value.Payload) };
}

const isFiniteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/** The `Coord` of a get-coordinate reply; undefined when a component is missing or not finite. */
export function parseCoordinate(value: unknown): SerfCoordinate | undefined {
  if (!isWireRecord(value) || !Array.isArray(value.Vec) || !value.Vec.every(isFiniteNumber)) return undefined;
  const { Error: error, Adjustment: adjustment, Height: height } = value;
  if (!isFiniteNumber(error) || !isFiniteNumber(adjustment) || !isFiniteNumber(height)) return undefined;
  return { vec: [...value.Vec], error, adjustment, height };
}

/** The stats reply: sections of string values (rpc.html.markdown, "stats"); other shapes are dropped. */
export function parseStats(value: unknown): Record<string, Record<string, string>> {
  if (!isWireRecord(value)) return {};
  return Object.fromEntries(Object.entries(value)
    .filter((entry): entry is [string, WireRecord] => isWireRecord(entry[1]) && entry[0] !== DROPPED_KEY)
    .map(([section, values]) => [section, parseTags(values)]));
}

/**
 * Serf's RTT estimate in seconds, as hashicorp/serf coordinate/coordinate.go DistanceTo computes it: Euclidean
 * distance of the vectors plus both heights, plus both adjustments when that adjusted sum stays positive.
 */
export function estimateRttSeconds(a: SerfCoordinate, b: SerfCoordinate): number {
  if (a.vec.length !== b.vec.length) {
    throw new RangeError(`Serf coordinates differ in dimensionality (${a.vec.length} and ${b.vec.length}); they come from incompatible agents.`);
  }
  const distance = Math.hypot(...a.vec.map((component, i) => component - b.vec[i]!)) + a.height + b.height;
  const adjusted = distance + a.adjustment + b.adjustment;
  return adjusted > 0 ? adjusted : distance;
}
