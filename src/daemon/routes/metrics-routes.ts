// The node's monitoring over HTTP: its figures' history for the panel, the tokens, and /metrics for Prometheus.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';

import { replies } from '../../shared/api-contract.ts';
import { HISTORY_RANGES, HistoryQuery, MetricsHistory, MetricsTokenCreated, MetricsTokenCreateRequest, MetricsTokenView } from '../../shared/metrics-contract.ts';
import { ApiError } from '../api-error.ts';
import type { MetricStore } from '../metrics/metric-store.ts';
import type { MetricsTokens } from '../metrics/metrics-tokens.ts';
import { PROMETHEUS_CONTENT_TYPE, renderPrometheus } from '../metrics/prometheus-text.ts';
import type { NodeReading } from '../metrics/proc-readings.ts';

export interface MetricsRouteDeps {
  store: MetricStore;
  tokens: MetricsTokens;
  read: () => Promise<NodeReading>;
  nodeName: () => Promise<string>;
  version: string;
}

export function registerMetricsRoutes(app: FastifyInstance, deps: MetricsRouteDeps): void {
  app.get<{ Querystring: HistoryQuery }>('/api/metrics/history', { schema: { querystring: HistoryQuery, response: replies(MetricsHistory) } }, (request) => {
    const to = Math.floor(Date.now() / 1000);
    const from = to - HISTORY_RANGES[request.query.range as keyof typeof HISTORY_RANGES];
    // Without names: the node's own series; modules' (a graph server's hundreds of devices) only when named.
    const names = request.query.series ? [...new Set(request.query.series.split(',').filter(Boolean))].slice(0, 64) : deps.store.seriesNames(to).filter((name) => !name.startsWith('app:'));
    return { from, to, ...deps.store.history(names, from, to) };
  });

  app.get('/api/metrics/tokens', { config: { access: 'admin' }, schema: { response: replies(Type.Array(MetricsTokenView)) } }, () => deps.tokens.list());
  app.post<{ Body: MetricsTokenCreateRequest }>(
    '/api/metrics/tokens',
    { config: { access: 'admin' }, schema: { body: MetricsTokenCreateRequest, response: replies(MetricsTokenCreated, 201) } },
    (request, reply) => reply.code(201).send(deps.tokens.create(request.body.name, request.session!.username)),
  );
  app.delete<{ Params: { id: string } }>(
    '/api/metrics/tokens/:id',
    { config: { access: 'admin' }, schema: { params: Type.Object({ id: Type.String({ pattern: '^[0-9a-f]{12}$' }) }), response: { 204: Type.Null(), ...replies(Type.Null()) } } },
    (request, reply) => {
      deps.tokens.revoke(request.params.id);
      return reply.code(204).send();
    },
  );

  // Prometheus scrapes with `authorization: { credentials: <token> }` (bearer); no session, no cookie.
  app.get('/metrics', { config: { access: 'public' }, schema: { hide: true } }, async (request, reply) => {
    const presented = /^Bearer ([A-Za-z0-9_-]{43})$/.exec(request.headers.authorization ?? '')?.[1];
    if (!presented || !deps.tokens.accepts(presented)) {
      reply.header('www-authenticate', 'Bearer realm="cloudy metrics"');
      throw new ApiError(401, 'unauthenticated', 'Scraping needs a metrics token: cloudy metrics token create NAME.');
    }
    const text = renderPrometheus(await deps.read(), { version: deps.version, node: await deps.nodeName() });
    return reply.type(PROMETHEUS_CONTENT_TYPE).send(text);
  });
}
