// The discovery API contract shared by cloudyd, the panel and the CLI: service records, search, settings, status.
import { Type, type Static } from '@sinclair/typebox';

/** Short service type as the 2015 Cloudy named them (`syncthing`, `tahoe-lafs`); DNS-SD adds `_…._tcp`. */
export const SERVICE_TYPE_PATTERN = '^[a-z0-9][a-z0-9-]{0,31}$';
export const TXT_KEY_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$';
export const MICROCLOUD_PATTERN = '^[a-z0-9][a-z0-9-]{0,31}$';

export type RecordSource = 'local' | 'mdns' | 'serf' | 'legacy';
/**
 * Enums and `type` lists instead of unions (`anyOf`) in the record: Fastify's serialiser tries each branch of a
 * union for every value, which doubled the time to answer a 10,000-record search (bench/discovery.ts, section 1c).
 */
export const RecordSource = Type.Unsafe<RecordSource>({ type: 'string', enum: ['local', 'mdns', 'serf', 'legacy'] });
const NullableNumber = (description: string) => Type.Unsafe<number | null>({ type: ['number', 'null'], description });

export const ServiceRecord = Type.Object({
  key: Type.String({ description: 'nodeId/type/port: the identity used to merge what several backends report' }),
  type: Type.String(),
  description: Type.String(),
  node: Type.String({ description: 'Host name of the node offering it' }),
  nodeId: Type.String(),
  address: Type.String(),
  port: Type.Integer(),
  microcloud: Type.String(),
  txt: Type.Record(Type.String(), Type.String()),
  source: RecordSource,
  sources: Type.Array(RecordSource),
  lastSeen: Type.String({ description: 'ISO time this node last heard of the record; for a stale one, when it went stale' }),
  stale: Type.Boolean({ description: 'No backend reports it any more; kept from the cache' }),
  rttMs: NullableNumber('Measured or estimated round trip from this node, in ms'),
  rttSource: Type.Unsafe<'self' | 'coordinates' | 'probe' | null>({ type: ['string', 'null'], enum: ['self', 'coordinates', 'probe', null] }),
  self: Type.Boolean({ description: 'Published by this node' }),
});
export type ServiceRecord = Static<typeof ServiceRecord>;

/** Query-string parameters arrive as text (cloudyd does not coerce types). */
export const SearchQuery = Type.Object(
  {
    type: Type.Optional(Type.String({ maxLength: 64 })),
    text: Type.Optional(Type.String({ maxLength: 200 })),
    includeStale: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')])),
    limit: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,4}$' })),
  },
  { additionalProperties: false },
);
export type SearchQuery = Static<typeof SearchQuery>;

export const SearchResult = Type.Object({
  records: Type.Array(ServiceRecord),
  types: Type.Array(Type.Object({ type: Type.String(), count: Type.Integer() })),
  total: Type.Integer({ description: 'Matching records before the limit' }),
  nodes: Type.Integer({ description: 'Distinct nodes among the live records' }),
});
export type SearchResult = Static<typeof SearchResult>;

export const PublishRequest = Type.Object(
  {
    description: Type.String({ minLength: 1, maxLength: 120, pattern: '^[^\\u0000-\\u001f\\u007f<>]*$' }),
    // Manual records are TCP, as every 2015 avahi-ps record was.
    type: Type.String({ pattern: `^_?[a-z0-9][a-z0-9-]{0,31}(\\._tcp)?$`, maxLength: 40 }),
    port: Type.Integer({ minimum: 1, maximum: 65535 }),
    // additionalProperties: a Record with a key pattern otherwise lets other keys through unchecked.
    txt: Type.Record(Type.String({ pattern: TXT_KEY_PATTERN }), Type.String({ maxLength: 200, pattern: '^[^\\u0000-\\u001f\\u007f]*$' }), { maxProperties: 16, additionalProperties: false }),
  },
  { additionalProperties: false },
);
export type PublishRequest = Static<typeof PublishRequest>;

export const Publication = Type.Object({
  type: Type.String(),
  port: Type.Integer(),
  description: Type.String(),
  txt: Type.Record(Type.String(), Type.String()),
  origin: Type.String({ description: "'manual' or the id of the module that declares it" }),
  published: Type.Boolean(),
  reason: Type.String({ description: 'Why it is or is not published right now' }),
});
export type Publication = Static<typeof Publication>;

export const PublicationParams = Type.Object({
  type: Type.String({ pattern: SERVICE_TYPE_PATTERN }),
  port: Type.String({ pattern: '^[0-9]{1,5}$' }),
});

export const SerfProfile = Type.Union([Type.Literal('lan'), Type.Literal('wan'), Type.Literal('local')]);

const IPV4 = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}';
const HOST = `(${IPV4}|[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*)`;

export const DiscoverySettings = Type.Object(
  {
    communityAddress: Type.String({
      title: 'Community address',
      description: 'IPv4 address of this node on the community network; empty: the address of the interface with the default route.',
      pattern: `^(${IPV4})?$`,
      maxLength: 15,
      default: '',
    }),
    serfPort: Type.Integer({ title: 'Gossip port', description: 'UDP and TCP port of the Serf agent.', minimum: 1024, maximum: 65535, default: 7946 }),
    joinAddresses: Type.Array(Type.String({ pattern: `^${HOST}(:[0-9]{1,5})?$`, maxLength: 260 }), {
      title: 'Join addresses',
      description: 'Other nodes to join, as address or address:port; retried until they answer.',
      maxItems: 32,
      default: [],
    }),
    microcloud: Type.String({ title: 'Microcloud', description: 'Name of the group of nodes this one belongs to (lowercase letters, digits, -).', pattern: MICROCLOUD_PATTERN, default: 'guifi' }),
    encryptKey: Type.String({
      title: 'Gossip encryption key',
      description: 'The same base64 key (16, 24 or 32 bytes) on every node of the community; empty: gossip is not encrypted.',
      pattern: '^([A-Za-z0-9+/]{22}==|[A-Za-z0-9+/]{32}|[A-Za-z0-9+/]{43}=)?$',
      default: '',
    }),
    serfProfile: Type.Union([Type.Literal('lan'), Type.Literal('wan'), Type.Literal('local')], {
      title: 'Network profile',
      description: 'lan for community wireless links (failures noticed in seconds), wan for long, slow links.',
      default: 'lan',
    }),
    mdns: Type.Boolean({ title: 'Publish and search on the local network (mDNS)', default: true }),
    legacyTag: Type.Boolean({ title: 'Also publish for 2015 Cloudy nodes (legacy Serf tag)', default: true }),
  },
  { additionalProperties: false },
);
export type DiscoverySettings = Static<typeof DiscoverySettings>;

/**
 * Any subset of the settings. Checked by cloudyd field by field (not by the route's schema), so every bad field
 * gets a sentence for the user next to it instead of a pattern.
 */
export const DiscoverySettingsUpdate = Type.Record(Type.String({ maxLength: 64 }), Type.Unknown(), { maxProperties: 16, description: 'Any subset of DiscoverySettings' });
export type DiscoverySettingsUpdate = Partial<DiscoverySettings>;

export const BackendState = Type.Union([
  Type.Literal('off'),
  Type.Literal('installing'),
  Type.Literal('starting'),
  Type.Literal('running'),
  Type.Literal('failed'),
]);
export type BackendState = Static<typeof BackendState>;

export const DiscoveryMember = Type.Object({
  name: Type.String(),
  address: Type.String(),
  port: Type.Integer(),
  status: Type.String(),
  cloudy: Type.Boolean({ description: 'A Cloudy node (not a 2015 node or a plain agent)' }),
  services: Type.Integer(),
  rttMs: Type.Union([Type.Number(), Type.Null()]),
});
export type DiscoveryMember = Static<typeof DiscoveryMember>;

export const DiscoveryStatus = Type.Object({
  nodeId: Type.String(),
  nodeName: Type.String({ description: 'Serf node name' }),
  communityAddress: Type.String(),
  communityInterface: Type.String(),
  microcloud: Type.String(),
  backends: Type.Object({
    mdns: Type.Object({ state: BackendState, detail: Type.String(), publisher: Type.Union([Type.Literal('embedded'), Type.Literal('avahi'), Type.Null()]) }),
    serf: Type.Object({ state: BackendState, detail: Type.String(), encrypted: Type.Boolean(), members: Type.Integer(), alive: Type.Integer() }),
  }),
  legacyTag: Type.Object({ enabled: Type.Boolean(), published: Type.Integer(), total: Type.Integer() }),
  published: Type.Integer(),
  visible: Type.Object({ services: Type.Integer(), nodes: Type.Integer() }),
  members: Type.Array(DiscoveryMember),
});
export type DiscoveryStatus = Static<typeof DiscoveryStatus>;

export const ProbeRequest = Type.Object({ key: Type.String({ maxLength: 200 }) }, { additionalProperties: false });
export const ProbeResult = Type.Object({ key: Type.String(), reachable: Type.Boolean(), rttMs: Type.Union([Type.Number(), Type.Null()]) });
export type ProbeResult = Static<typeof ProbeResult>;

export const LocalizedText = Type.Object({ en: Type.String(), ca: Type.String(), es: Type.String() });
export type LocalizedText = Static<typeof LocalizedText>;

export const ConsumeView = Type.Object({
  key: Type.String(),
  module: Type.String(),
  moduleTitle: Type.String(),
  action: Type.String(),
  state: Type.Union(
    [Type.Literal('self'), Type.Literal('install'), Type.Literal('start'), Type.Literal('available'), Type.Literal('waiting'), Type.Literal('done'), Type.Literal('unavailable'), Type.Literal('show')],
    { description: 'self, install and start are decided by the node; show: the action only shows instructions; the others by the consuming module' },
  ),
  label: LocalizedText,
  waitingLabel: Type.Union([LocalizedText, Type.Null()]),
  doneLabel: Type.Union([LocalizedText, Type.Null()]),
  undoLabel: Type.Union([LocalizedText, Type.Null()]),
  instructions: Type.Array(Type.Object({ label: LocalizedText, value: Type.String() }), { description: 'For state show: how to use the service, filled from its record' }),
});
export type ConsumeView = Static<typeof ConsumeView>;

export const ConsumeViewsQuery = Type.Object({ type: Type.String({ pattern: SERVICE_TYPE_PATTERN }) }, { additionalProperties: false });

export const ConsumeRequest = Type.Object(
  {
    module: Type.String({ pattern: '^[a-z][a-z0-9-]{1,31}$' }),
    action: Type.String({ pattern: '^[a-z][a-z0-9-]{0,31}$' }),
    key: Type.String({ maxLength: 200 }),
    mode: Type.Union([Type.Literal('do'), Type.Literal('undo')]),
  },
  { additionalProperties: false },
);
export type ConsumeRequest = Static<typeof ConsumeRequest>;

export const IncomingRequestView = Type.Object({
  module: Type.String(),
  moduleTitle: Type.String(),
  kind: Type.String(),
  id: Type.String(),
  name: Type.String(),
  address: Type.String(),
  label: LocalizedText,
  acceptLabel: LocalizedText,
});
export type IncomingRequestView = Static<typeof IncomingRequestView>;

export const AcceptRequest = Type.Object(
  {
    module: Type.String({ pattern: '^[a-z][a-z0-9-]{1,31}$' }),
    kind: Type.String({ pattern: '^[a-z][a-z0-9-]{0,31}$' }),
    id: Type.String({ maxLength: 200, pattern: '^[A-Za-z0-9._:-]+$' }),
  },
  { additionalProperties: false },
);
export type AcceptRequest = Static<typeof AcceptRequest>;
