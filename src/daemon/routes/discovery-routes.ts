// Thin routes over discovery: search, status, settings, manual publications, reachability probes; and the peer list.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';

import { replies } from '../../shared/api-contract.ts';
import {
  AcceptRequest,
  ConsumeRequest,
  ConsumeView,
  ConsumeViewsQuery,
  DiscoverySettings,
  DiscoverySettingsUpdate,
  DiscoveryStatus,
  IncomingRequestView,
  ProbeRequest,
  ProbeResult,
  Publication,
  PublicationParams,
  PublishRequest,
  SearchQuery,
  SearchResult,
} from '../../shared/discovery-contract.ts';
import type { ConsumeActions } from '../discovery/consume-actions.ts';
import type { DiscoveryService } from '../discovery/discovery-service.ts';
import { PEER_SERVICES_PATH } from '../discovery/peer-document.ts';
import type { ReachabilityProbe } from '../discovery/reachability-probe.ts';

export interface DiscoveryRouteDeps {
  discovery: DiscoveryService;
  probe: ReachabilityProbe;
  consume: ConsumeActions;
}

export function registerDiscoveryRoutes(app: FastifyInstance, { discovery, probe, consume }: DiscoveryRouteDeps): void {
  app.get<{ Querystring: SearchQuery }>('/api/discovery/services', { schema: { querystring: SearchQuery, response: replies(SearchResult) } }, ({ query }) =>
    discovery.search({ type: query.type, text: query.text, includeStale: query.includeStale === 'true', limit: query.limit ? Math.min(20_000, Number(query.limit)) : undefined }),
  );

  app.get('/api/discovery/status', { schema: { response: replies(DiscoveryStatus) } }, () => discovery.status());

  app.get('/api/discovery/settings', { config: { access: 'admin' }, schema: { response: replies(DiscoverySettings) } }, () => discovery.currentSettings());

  app.put<{ Body: DiscoverySettingsUpdate }>(
    '/api/discovery/settings',
    { config: { access: 'admin' }, schema: { body: DiscoverySettingsUpdate, response: replies(DiscoverySettings) } },
    (request) => discovery.updateSettings(request.body),
  );

  app.get('/api/discovery/publications', { schema: { response: replies(Type.Array(Publication)) } }, () => discovery.ownPublications());

  app.post<{ Body: PublishRequest }>(
    '/api/discovery/publications',
    { config: { access: 'admin' }, schema: { body: PublishRequest, response: replies(Type.Array(Publication), 201) } },
    async (request, reply) => reply.code(201).send(await discovery.publishManual(request.body)),
  );

  app.delete<{ Params: { type: string; port: string } }>(
    '/api/discovery/publications/:type/:port',
    { config: { access: 'admin' }, schema: { params: PublicationParams, response: { 204: Type.Null(), ...replies(Type.Null()) } } },
    async (request, reply) => {
      await discovery.unpublishManual(request.params.type, Number(request.params.port));
      return reply.code(204).send();
    },
  );

  app.post<{ Body: { key: string } }>('/api/discovery/probe', { schema: { body: ProbeRequest, response: replies(ProbeResult) } }, (request) => probe.probe(request.body.key));

  app.get<{ Querystring: { type: string } }>('/api/discovery/actions', { schema: { querystring: ConsumeViewsQuery, response: replies(Type.Array(ConsumeView)) } }, (request) =>
    consume.views(request.query.type),
  );

  app.post<{ Body: ConsumeRequest }>('/api/discovery/actions', { config: { access: 'admin' }, schema: { body: ConsumeRequest, response: replies(ConsumeView) } }, (request) =>
    consume.run(request.body),
  );

  app.get('/api/discovery/requests', { schema: { response: replies(Type.Array(IncomingRequestView)) } }, () => consume.requests());

  app.post<{ Body: AcceptRequest }>(
    '/api/discovery/requests/accept',
    { config: { access: 'admin' }, schema: { body: AcceptRequest, response: { 204: Type.Null(), ...replies(Type.Null()) } } },
    async (request, reply) => {
      await consume.accept(request.body.module, request.body.kind, request.body.id);
      return reply.code(204).send();
    },
  );

  // Node to node, not part of the panel's API: what this node publishes anyway, read-only, for peers that saw our digest.
  app.get(PEER_SERVICES_PATH, { config: { access: 'public' }, schema: { hide: true } }, (_request, reply) => {
    const document = discovery.peerDocument();
    if (!document) return reply.code(503).send({ error: 'starting', message: 'This node has not evaluated its services yet.' });
    return reply.header('cache-control', 'no-store').send(document);
  });
}
