// The overlay network's contract: the owner's API (server and member side) and the protocol between a VPN
// server and its members. cloudyd, the helper, the panel and the CLI share these shapes.
import { Type, type Static } from '@sinclair/typebox';

import { DURATION_PATTERN, IPV4_CIDR_PATTERN, IPV4_PATTERN, JOIN_STEP_PERCENT, JOIN_STEPS, JOIN_TOKEN_PATTERN, NETWORK_NAME_PATTERN, type JoinStep, TINC_RECORD_TYPE, VPN_SERVER_RECORD_TYPE } from './vpn-names.ts';

// Plain values live in vpn-names.ts (the panel imports them without the schema library); re-exported for the server side.
export { DURATION_PATTERN, IPV4_CIDR_PATTERN, IPV4_PATTERN, JOIN_STEP_PERCENT, JOIN_STEPS, JOIN_TOKEN_PATTERN, NETWORK_NAME_PATTERN, type JoinStep, TINC_RECORD_TYPE, VPN_SERVER_RECORD_TYPE };
/** tinc 1.0 accepts only [A-Za-z0-9_] in node names; they become file names under hosts/. */
export const TINC_NODE_NAME_PATTERN = '^[A-Za-z0-9_]{1,32}$';
/** What `tincd -K` writes: one PKCS#1 RSA public key in PEM. */
export const RSA_PUBLIC_KEY_PATTERN = '^-----BEGIN RSA PUBLIC KEY-----\\n([A-Za-z0-9+/=]{1,76}\\n){2,40}-----END RSA PUBLIC KEY-----\\n?$';

export const NetworkName = Type.String({ pattern: NETWORK_NAME_PATTERN, description: 'Lowercase letters, digits and _; at most 15 characters' });
export const TincNodeName = Type.String({ pattern: TINC_NODE_NAME_PATTERN });
export const Ipv4 = Type.String({ pattern: IPV4_PATTERN });
export const Ipv4Cidr = Type.String({ pattern: IPV4_CIDR_PATTERN });
export const RsaPublicKey = Type.String({ pattern: RSA_PUBLIC_KEY_PATTERN, maxLength: 4096 });
export const TincPort = Type.Integer({ minimum: 1, maximum: 65535 });
export const VpnMode = Type.Union([Type.Literal('router'), Type.Literal('switch')]);
export type VpnMode = Static<typeof VpnMode>;

// ---- Server side, the owner's API ----

export const NetworkCreateRequest = Type.Object(
  {
    name: NetworkName,
    subnet: Type.String({ pattern: IPV4_CIDR_PATTERN, description: 'Overlay range, e.g. 10.99.0.0/24; this node takes its first address' }),
    mode: Type.Optional(VpnMode),
    legacyEnrolment: Type.Optional(Type.Boolean({ description: 'Let 2015 getinconf-client nodes enrol with the network key' })),
  },
  { additionalProperties: false },
);
export type NetworkCreateRequest = Static<typeof NetworkCreateRequest>;

export const NetworkView = Type.Object({
  name: Type.String(),
  subnet: Type.String(),
  mode: VpnMode,
  joinPolicy: Type.String({ description: 'token: members need a join token' }),
  legacyEnrolment: Type.Boolean(),
  /** Shown only to the owner, for configuring 2015 clients; empty while legacy enrolment is off. */
  legacyKey: Type.String(),
  members: Type.Integer(),
  createdAt: Type.String(),
});
export type NetworkView = Static<typeof NetworkView>;

export const NetworkUpdateRequest = Type.Object({ legacyEnrolment: Type.Boolean() }, { additionalProperties: false });
export type NetworkUpdateRequest = Static<typeof NetworkUpdateRequest>;

export const NetworkParams = Type.Object({ network: NetworkName }, { additionalProperties: false });
export const TokenParams = Type.Object({ network: NetworkName, token: Type.String({ pattern: '^[a-f0-9]{16}$' }) }, { additionalProperties: false });
export const MemberParams = Type.Object({ network: NetworkName, member: TincNodeName }, { additionalProperties: false });

export const TokenCreateRequest = Type.Object(
  {
    uses: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, description: 'How many members may join with it (default 1)' })),
    expires: Type.Optional(Type.String({ pattern: DURATION_PATTERN, description: 'e.g. 30s, 30m, 1h, 7d (default 1h)' })),
  },
  { additionalProperties: false },
);
export type TokenCreateRequest = Static<typeof TokenCreateRequest>;

export const TokenCreated = Type.Object({
  token: Type.String({ description: 'Shown once; carries the server certificate’s SHA-256 so joining pins it' }),
  url: Type.String({ description: 'What members join with, together with the token' }),
  network: Type.String(),
  uses: Type.Integer(),
  expiresAt: Type.String(),
});
export type TokenCreated = Static<typeof TokenCreated>;

export const TokenView = Type.Object({ id: Type.String(), uses: Type.Integer(), used: Type.Integer(), expiresAt: Type.String(), createdAt: Type.String(), createdBy: Type.String(), revoked: Type.Boolean() });
export type TokenView = Static<typeof TokenView>;

export const MemberState = Type.Union([Type.Literal('active'), Type.Literal('revoked'), Type.Literal('left')]);
export const MemberView = Type.Object({
  name: Type.String(),
  address: Type.String({ description: 'Overlay address' }),
  endpoint: Type.String({ description: 'Where its tincd listens (host:port), as it reported it' }),
  seenFrom: Type.String({ description: 'The address its enrolment came from, as this server saw it' }),
  lastSeen: Type.Union([Type.String(), Type.Null()]),
  joinedAt: Type.String(),
  invitedBy: Type.String({ description: 'Token id, "legacy" or "server"' }),
  state: MemberState,
});
export type MemberView = Static<typeof MemberView>;

export const AuditEntry = Type.Object({ time: Type.String(), event: Type.String(), member: Type.String(), detail: Type.String() });
export type AuditEntry = Static<typeof AuditEntry>;

// ---- Between a member and its server (/vpn/v1/…, authenticated by token, then by the member secret) ----

export const Endpoint = Type.Object({ host: Type.String({ pattern: IPV4_PATTERN }), port: TincPort }, { additionalProperties: false });
export type Endpoint = Static<typeof Endpoint>;

export const EnrolRequest = Type.Object(
  {
    token: Type.String({ pattern: JOIN_TOKEN_PATTERN }),
    name: TincNodeName,
    publicKey: RsaPublicKey,
    endpoint: Type.Optional(Endpoint),
  },
  { additionalProperties: false },
);
export type EnrolRequest = Static<typeof EnrolRequest>;

export const TincPeer = Type.Object(
  {
    name: TincNodeName,
    publicKey: RsaPublicKey,
    address: Ipv4,
    endpoint: Type.Optional(Endpoint),
  },
  { additionalProperties: false },
);
export type TincPeer = Static<typeof TincPeer>;

/** Everything a member needs to write its tinc files; the server sends data, never a script. */
export const NetworkState = Type.Object(
  {
    version: Type.Integer({ minimum: 0 }),
    network: Type.Object({ name: NetworkName, subnet: Ipv4Cidr, mode: VpnMode }, { additionalProperties: false }),
    self: Type.Object({ name: TincNodeName, address: Ipv4 }, { additionalProperties: false }),
    peers: Type.Array(TincPeer, { maxItems: 4096 }),
    connectTo: Type.Array(TincNodeName, { maxItems: 16 }),
  },
  { additionalProperties: false },
);
export type NetworkState = Static<typeof NetworkState>;

export const EnrolReply = Type.Object({ memberSecret: Type.String({ pattern: '^[A-Za-z0-9_-]{43}$' }), state: NetworkState }, { additionalProperties: false });
export type EnrolReply = Static<typeof EnrolReply>;

export const MemberWaitQuery = Type.Object({ since: Type.Optional(Type.String({ pattern: '^[0-9]{1,12}$' })) }, { additionalProperties: false });

// ---- Member side, the owner's API ----

export const JoinRequest = Type.Object(
  {
    url: Type.String({ minLength: 8, maxLength: 300, pattern: '^https://[^\\s]+$', description: 'The URL the server gave with the token' }),
    token: Type.String({ pattern: JOIN_TOKEN_PATTERN, description: 'The join token, as the server printed it' }),
  },
  { additionalProperties: false },
);
export type JoinRequest = Static<typeof JoinRequest>;

export const VpnPeerView = Type.Object({ name: Type.String(), address: Type.String(), reachable: Type.Boolean() });
export type VpnPeerView = Static<typeof VpnPeerView>;

export const MembershipState = Type.Union([Type.Literal('joining'), Type.Literal('joined'), Type.Literal('revoked'), Type.Literal('unreachable')]);

export const VpnStatus = Type.Object({
  network: Type.Union([Type.String(), Type.Null()]),
  address: Type.Union([Type.String(), Type.Null()], { description: 'Overlay address with prefix, e.g. 10.99.0.2/24' }),
  interface: Type.Union([Type.String(), Type.Null()]),
  name: Type.Union([Type.String(), Type.Null()], { description: 'This node’s name in the network' }),
  server: Type.Union([Type.String(), Type.Null()], { description: 'host:port of the server; null when not a member' }),
  local: Type.Boolean({ description: 'This node hosts the network (and cannot leave it)' }),
  state: Type.Union([MembershipState, Type.Null()]),
  tincd: Type.String({ description: 'Supervisor state of tincd' }),
  tincdPid: Type.Union([Type.Integer(), Type.Null()]),
  lastUpdate: Type.Union([Type.String(), Type.Null()], { description: 'When the server last sent the member list' }),
  peers: Type.Array(VpnPeerView),
});
export type VpnStatus = Static<typeof VpnStatus>;
