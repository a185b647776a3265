// The node's monitoring: history of its figures for the panel's graphs, and the tokens a Prometheus server scrapes
// /metrics with. cloudyd, the panel and the CLI share these shapes.
import { Type, type Static } from '@sinclair/typebox';

/** [Unix seconds, value] */
export type MetricPoint = [number, number];

export const HISTORY_RANGES = { '1h': 3600, '6h': 6 * 3600, '24h': 86_400, '7d': 7 * 86_400, '30d': 30 * 86_400, '365d': 365 * 86_400 } as const;
export type HistoryRange = keyof typeof HISTORY_RANGES;

/** Series: `cpu`, `load1`, `memory`, `disk` (the node), `net:<device>:rx|tx`, `module:<id>:cpu|memory`. */
export const HistoryQuery = Type.Object(
  {
    range: Type.Union(Object.keys(HISTORY_RANGES).map((range) => Type.Literal(range)), { default: '1h' }),
    series: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_.@:,-]{1,2000}$', description: 'Comma-separated series names; all when absent' })),
  },
  { additionalProperties: false },
);
export type HistoryQuery = Static<typeof HistoryQuery>;

export const MetricsHistory = Type.Object({
  /** Seconds between points: 60 up to 8 days back, 3600 (hourly averages) beyond. */
  step: Type.Integer(),
  from: Type.Integer(),
  to: Type.Integer(),
  series: Type.Record(Type.String(), Type.Array(Type.Tuple([Type.Number(), Type.Number()]))),
});
export type MetricsHistory = Static<typeof MetricsHistory>;

export const METRICS_TOKEN_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9 ._-]{0,39}$';

export const MetricsTokenCreateRequest = Type.Object(
  { name: Type.String({ pattern: METRICS_TOKEN_NAME_PATTERN, description: 'Who scrapes with it, e.g. "community prometheus"' }) },
  { additionalProperties: false },
);
export type MetricsTokenCreateRequest = Static<typeof MetricsTokenCreateRequest>;

export const MetricsTokenView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  createdAt: Type.String(),
  createdBy: Type.String(),
  lastUsedAt: Type.Union([Type.String(), Type.Null()]),
});
export type MetricsTokenView = Static<typeof MetricsTokenView>;

/** The token itself is shown once, here; cloudyd keeps only its SHA-256. */
export const MetricsTokenCreated = Type.Intersect([MetricsTokenView, Type.Object({ token: Type.String() })]);
export type MetricsTokenCreated = Static<typeof MetricsTokenCreated>;

/** A module's graphs (a graph server's devices): for one group at a time when there are many. */
export const ModuleGraphsQuery = Type.Object(
  {
    range: HistoryQuery.properties.range,
    group: Type.Optional(Type.String({ maxLength: 200, description: 'Only the graphs of this group (e.g. one device); the first group when absent' })),
  },
  { additionalProperties: false },
);
export type ModuleGraphsQuery = Static<typeof ModuleGraphsQuery>;

export const ModuleGraphView = Type.Object({
  id: Type.String(),
  title: Type.String(),
  unit: Type.Union([Type.Literal('bytesPerSecond'), Type.Literal('milliseconds'), Type.Literal('percent')]),
  lines: Type.Array(Type.Object({ label: Type.String(), points: Type.Array(Type.Tuple([Type.Number(), Type.Number()])) })),
});
export type ModuleGraphView = Static<typeof ModuleGraphView>;

export const ModuleGraphs = Type.Object({
  step: Type.Integer(),
  from: Type.Integer(),
  to: Type.Integer(),
  /** Every group the module has graphs in (with its status), so the panel can offer the others. */
  groups: Type.Array(Type.Object({ name: Type.String(), status: Type.Optional(Type.Union([Type.Literal('up'), Type.Literal('down')])) })),
  group: Type.Union([Type.String(), Type.Null()]),
  graphs: Type.Array(ModuleGraphView),
});
export type ModuleGraphs = Static<typeof ModuleGraphs>;
