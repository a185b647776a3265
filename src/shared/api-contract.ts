// The HTTP API contract shared by cloudyd, the web panel and the CLI: one schema per endpoint.
import { Type, type Static, type TSchema } from '@sinclair/typebox';

import { HOSTNAME_PATTERN, ITEM_KEY_PATTERN, LANGUAGES, MODULE_ID_PATTERN, USERNAME_PATTERN } from './http-names.ts';

export const ErrorReply = Type.Object({
  error: Type.String({ description: 'Machine-readable error code' }),
  message: Type.String({ description: 'A sentence for the user' }),
  fields: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'Per-field messages' })),
});
export type ErrorReply = Static<typeof ErrorReply>;

export const Health = Type.Object({
  status: Type.Literal('ok'),
  version: Type.String(),
  setupRequired: Type.Boolean(),
});
export type Health = Static<typeof Health>;

export const Language = Type.Union(LANGUAGES.map((code) => Type.Literal(code)));
export type Language = Static<typeof Language>;

export const Password = Type.String({ minLength: 8, maxLength: 256 });

export const SetupRequest = Type.Object(
  {
    setupCode: Type.String({ minLength: 1, maxLength: 64 }),
    username: Type.String({ pattern: USERNAME_PATTERN }),
    password: Password,
    language: Type.Optional(Language),
  },
  { additionalProperties: false },
);
export type SetupRequest = Static<typeof SetupRequest>;

export const LoginRequest = Type.Object(
  { username: Type.String({ minLength: 1, maxLength: 64 }), password: Type.String({ minLength: 1, maxLength: 256 }) },
  { additionalProperties: false },
);
export type LoginRequest = Static<typeof LoginRequest>;

export const Role = Type.Union([Type.Literal('admin'), Type.Literal('user')]);
export type Role = Static<typeof Role>;

export const SessionInfo = Type.Object({
  username: Type.String(),
  role: Role,
  language: Language,
  csrfToken: Type.String({ description: 'Send back as the X-CSRF-Token header on every state change' }),
});
export type SessionInfo = Static<typeof SessionInfo>;

export const PasswordChangeRequest = Type.Object(
  { currentPassword: Type.String({ minLength: 1, maxLength: 256 }), newPassword: Password },
  { additionalProperties: false },
);
export type PasswordChangeRequest = Static<typeof PasswordChangeRequest>;

export const LanguageChangeRequest = Type.Object({ language: Language }, { additionalProperties: false });
export type LanguageChangeRequest = Static<typeof LanguageChangeRequest>;

export const NodeInfo = Type.Object({
  hostname: Type.String(),
  addresses: Type.Array(Type.Object({ interface: Type.String(), address: Type.String(), family: Type.String() })),
  cpu: Type.Object({ model: Type.String(), cores: Type.Integer(), loadAverage: Type.Array(Type.Number()) }),
  memory: Type.Object({ totalBytes: Type.Number(), availableBytes: Type.Number() }),
  disk: Type.Object({ path: Type.String(), totalBytes: Type.Number(), availableBytes: Type.Number() }),
  uptimeSeconds: Type.Number(),
  version: Type.String(),
});
export type NodeInfo = Static<typeof NodeInfo>;

export const HostnameChangeRequest = Type.Object(
  { hostname: Type.String({ pattern: HOSTNAME_PATTERN, maxLength: 63 }) },
  { additionalProperties: false },
);
export type HostnameChangeRequest = Static<typeof HostnameChangeRequest>;

export const DaemonState = Type.Union([
  Type.Literal('running'),
  Type.Literal('starting'),
  Type.Literal('backoff'),
  Type.Literal('stopped'),
  Type.Literal('failed'),
]);
export type DaemonState = Static<typeof DaemonState>;

export const ModuleState = Type.Object({
  installed: Type.Boolean(),
  running: Type.Boolean(),
  enabled: Type.Boolean({ description: 'Started again when the node starts' }),
  configured: Type.Boolean(),
  configApplied: Type.Boolean({ description: 'False when a saved configuration still waits for a start' }),
  daemons: Type.Array(
    Type.Object({ name: Type.String(), state: DaemonState, pid: Type.Union([Type.Integer(), Type.Null()]), restarts: Type.Integer() }),
  ),
});
export type ModuleState = Static<typeof ModuleState>;

export const ModuleSummary = Type.Object({
  id: Type.String(),
  title: Type.String(),
  description: Type.String(),
  category: Type.String(),
  packages: Type.Array(Type.String()),
  state: ModuleState,
  hasWebUi: Type.Boolean(),
});
export type ModuleSummary = Static<typeof ModuleSummary>;

/** A list the owner manages on a module's page (its shares, its users …), described in the reader's language. */
export const CollectionInfo = Type.Object({
  name: Type.String(),
  noun: Type.String({ description: 'The CLI word for one item: cloudy <module> <noun> add|remove|list|passwd' }),
  title: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  key: Type.String({ description: 'The property that names an item' }),
  itemSchema: Type.Unknown({ description: 'JSON Schema of one item, titles in the reader’s language' }),
  maxItems: Type.Integer(),
  password: Type.Union([Type.Object({ title: Type.String(), description: Type.Union([Type.String(), Type.Null()]) }), Type.Null()]),
});
export type CollectionInfo = Static<typeof CollectionInfo>;

export const CollectionItemView = Type.Object({
  key: Type.String(),
  values: Type.Record(Type.String(), Type.Unknown()),
  hasPassword: Type.Boolean({ description: 'A password was set (only its bcrypt hash is kept, and never sent)' }),
});
export type CollectionItemView = Static<typeof CollectionItemView>;

export const ItemPutRequest = Type.Object(
  {
    values: Type.Record(Type.String(), Type.Unknown()),
    password: Type.Optional(Type.String({ maxLength: 1024, description: 'Sets or changes the item’s password' })),
  },
  { additionalProperties: false },
);
export type ItemPutRequest = Static<typeof ItemPutRequest>;

export const ItemChangeReply = Type.Object({
  item: Type.Union([CollectionItemView, Type.Null()]),
  operationId: Type.Union([Type.String(), Type.Null()], { description: 'The running module applies the change in this operation' }),
});
export type ItemChangeReply = Static<typeof ItemChangeReply>;

export const ModuleDetail = Type.Composite([
  ModuleSummary,
  Type.Object({
    collections: Type.Array(CollectionInfo),
    configSchema: Type.Unknown({ description: 'JSON Schema of the configuration form' }),
    config: Type.Record(Type.String(), Type.Unknown()),
    details: Type.Array(
      Type.Object({ label: Type.String(), value: Type.String(), kind: Type.Optional(Type.String()) }),
      { description: 'Module-specific facts (e.g. device ID, folders)' },
    ),
  }),
]);
export type ModuleDetail = Static<typeof ModuleDetail>;

export const ConfigUpdateRequest = Type.Object(
  { values: Type.Record(Type.String(), Type.Unknown()) },
  { additionalProperties: false },
);
export type ConfigUpdateRequest = Static<typeof ConfigUpdateRequest>;

export const OperationState = Type.Union([
  Type.Literal('waiting'),
  Type.Literal('running'),
  Type.Literal('completed'),
  Type.Literal('failed'),
]);
export type OperationState = Static<typeof OperationState>;

export const Operation = Type.Object({
  id: Type.String(),
  module: Type.String(),
  kind: Type.String(),
  state: OperationState,
  progress: Type.Number({ minimum: 0, maximum: 100 }),
  message: Type.String(),
  error: Type.Union([Type.String(), Type.Null()]),
  log: Type.Array(Type.String()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
export type Operation = Static<typeof Operation>;

export const OperationAccepted = Type.Object({ operationId: Type.String() });
export type OperationAccepted = Static<typeof OperationAccepted>;

export const DiagnosticResult = Type.Union([
  Type.Literal('passed'),
  Type.Literal('failed'),
  Type.Literal('warning'),
  Type.Literal('error'),
  // The check needs the module running and the owner has it stopped: not a failure.
  Type.Literal('not-running'),
]);
export const DiagnosticCheck = Type.Object({
  checkId: Type.String(),
  description: Type.String(),
  result: DiagnosticResult,
  parameters: Type.Record(Type.String(), Type.String()),
});
export type DiagnosticCheck = Static<typeof DiagnosticCheck>;

export const LogLine = Type.Object({ time: Type.String(), source: Type.String(), text: Type.String() });
export type LogLine = Static<typeof LogLine>;

/** Server-sent events on GET /api/events: `event: <type>` and JSON `data`. */
export type PanelEvent =
  | { type: 'operation'; operation: Operation }
  | { type: 'module'; module: string; state: ModuleState }
  | { type: 'discovery'; visible: { services: number; nodes: number } }
  | { type: 'vpn'; network: string };

export const ModuleIdParams = Type.Object({ id: Type.String({ pattern: MODULE_ID_PATTERN }) });
export const CollectionParams = Type.Object({ id: Type.String({ pattern: MODULE_ID_PATTERN }), collection: Type.String({ pattern: '^[a-z][A-Za-z0-9]{0,31}$' }) });
export const ItemParams = Type.Object({
  id: Type.String({ pattern: MODULE_ID_PATTERN }),
  collection: Type.String({ pattern: '^[a-z][A-Za-z0-9]{0,31}$' }),
  // The item schema says more; this keeps anything else out of URLs and logs.
  key: Type.String({ pattern: ITEM_KEY_PATTERN }),
});
export const OperationIdParams = Type.Object({ id: Type.String({ pattern: '^[a-zA-Z0-9-]{1,64}$' }) });

/** Response body schemas keyed by status code, as Fastify and OpenAPI expect them. */
export function replies(ok: TSchema, okStatus = 200): Record<number, TSchema> {
  return { [okStatus]: ok, 400: ErrorReply, 401: ErrorReply, 403: ErrorReply, 404: ErrorReply, 409: ErrorReply };
}

export const UserSummary = Type.Object({ username: Type.String(), role: Role, language: Language });
export type UserSummary = Static<typeof UserSummary>;

export const UserCreateRequest = Type.Object(
  { username: Type.String({ pattern: USERNAME_PATTERN }), password: Password, role: Role },
  { additionalProperties: false },
);
export type UserCreateRequest = Static<typeof UserCreateRequest>;

export const UsernameParams = Type.Object({ username: Type.String({ pattern: USERNAME_PATTERN }) });
