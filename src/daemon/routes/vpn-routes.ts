// The overlay network over HTTP: the owner's API for the server (/api/vpn-server) and this node's membership
// (/api/vpn), and the node-to-node protocol members speak with their server (/vpn/v1, token or member secret).
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';

import { LogLine, OperationAccepted, replies } from '../../shared/api-contract.ts';
import {
  AuditEntry,
  EnrolReply,
  EnrolRequest,
  JoinRequest,
  MemberParams,
  MemberView,
  MemberWaitQuery,
  NetworkCreateRequest,
  NetworkParams,
  NetworkState,
  NetworkUpdateRequest,
  NetworkView,
  TokenCreated,
  TokenCreateRequest,
  TokenParams,
  TokenView,
  VpnStatus,
} from '../../shared/vpn-contract.ts';
import { ApiError } from '../api-error.ts';
import type { VpnMember } from '../vpn/vpn-member.ts';
import type { VpnServer } from '../vpn/vpn-server.ts';

export interface VpnRouteDeps {
  server: VpnServer;
  member: VpnMember;
}

/** The peer's address as the server sees it (IPv4 without the ::ffff: prefix a dual-stack socket adds). */
export const clientAddress = (request: FastifyRequest) => (request.socket.remoteAddress ?? 'unknown').replace(/^::ffff:/, '');
const actor = (request: FastifyRequest) => request.session?.username ?? 'unknown';
const admin = { access: 'admin' as const };
const peerProtocol = { access: 'public' as const };

function bearer(request: FastifyRequest): string {
  const match = /^Bearer ([A-Za-z0-9_-]{43})$/.exec(request.headers.authorization ?? '');
  if (!match) throw new ApiError(401, 'unknown_member', 'A member secret is required.');
  return match[1]!;
}

export function registerVpnRoutes(app: FastifyInstance, { server, member }: VpnRouteDeps): void {
  // ---- the server, for its owner ----
  app.get('/api/vpn-server/networks', { schema: { response: replies(Type.Array(NetworkView)) } }, () => server.networks());

  app.post<{ Body: NetworkCreateRequest }>(
    '/api/vpn-server/networks',
    { config: admin, schema: { body: NetworkCreateRequest, response: replies(NetworkView, 201) } },
    async (request, reply) => {
      const network = server.createNetwork(request.body, actor(request));
      await member.joinOwnNetwork(network.name).catch((error: Error) => {
        throw new ApiError(500, 'own_join_failed', `The network ${network.name} was created, but this node could not join it: ${error.message}`);
      });
      return reply.code(201).send(server.network(network.name));
    },
  );

  app.patch<{ Params: { network: string }; Body: NetworkUpdateRequest }>(
    '/api/vpn-server/networks/:network',
    { config: admin, schema: { params: NetworkParams, body: NetworkUpdateRequest, response: replies(NetworkView) } },
    (request) => server.setLegacyEnrolment(request.params.network, request.body.legacyEnrolment, actor(request)),
  );

  app.post<{ Params: { network: string }; Body: TokenCreateRequest }>(
    '/api/vpn-server/networks/:network/tokens',
    { config: admin, schema: { params: NetworkParams, body: TokenCreateRequest, response: replies(TokenCreated, 201) } },
    (request, reply) => reply.code(201).send(server.createToken(request.params.network, request.body, actor(request))),
  );

  app.get<{ Params: { network: string } }>('/api/vpn-server/networks/:network/tokens', { config: admin, schema: { params: NetworkParams, response: replies(Type.Array(TokenView)) } }, (request) =>
    server.tokens(request.params.network),
  );

  app.delete<{ Params: { network: string; token: string } }>(
    '/api/vpn-server/networks/:network/tokens/:token',
    { config: admin, schema: { params: TokenParams, response: replies(TokenView) } },
    (request) => server.revokeToken(request.params.network, request.params.token, actor(request)),
  );

  app.get<{ Params: { network: string } }>('/api/vpn-server/networks/:network/members', { schema: { params: NetworkParams, response: replies(Type.Array(MemberView)) } }, (request) =>
    server.members(request.params.network),
  );

  app.delete<{ Params: { network: string; member: string } }>(
    '/api/vpn-server/networks/:network/members/:member',
    { config: admin, schema: { params: MemberParams, response: replies(MemberView) } },
    (request) => server.revoke(request.params.network, request.params.member, actor(request)),
  );

  app.get<{ Params: { network: string } }>('/api/vpn-server/networks/:network/audit', { config: admin, schema: { params: NetworkParams, response: replies(Type.Array(AuditEntry)) } }, (request) =>
    server.auditLog(request.params.network),
  );

  // ---- this node as a member ----
  app.get('/api/vpn', { schema: { response: replies(VpnStatus) } }, () => member.status());

  app.get('/api/vpn/logs', { schema: { response: replies(Type.Array(LogLine)) } }, () => member.logs());

  app.post<{ Body: JoinRequest }>('/api/vpn/join', { config: admin, schema: { body: JoinRequest, response: replies(OperationAccepted, 202) } }, (request, reply) =>
    reply.code(202).send({ operationId: member.join(request.body.url, request.body.token).id }),
  );

  app.post('/api/vpn/leave', { config: admin, schema: { response: { 204: Type.Null(), ...replies(Type.Null()) } } }, async (_request, reply) => {
    await member.leave();
    return reply.code(204).send();
  });

  // ---- node to node: members and their server ----
  app.post<{ Params: { network: string }; Body: EnrolRequest }>(
    '/vpn/v1/networks/:network/members',
    { config: peerProtocol, schema: { hide: true, params: NetworkParams, body: EnrolRequest, response: { 201: EnrolReply } } },
    async (request, reply) => reply.code(201).send(await server.enrolWhenHubReady(request.params.network, request.body, clientAddress(request))),
  );

  app.get<{ Params: { network: string; member: string }; Querystring: { since?: string } }>(
    '/vpn/v1/networks/:network/members/:member/state',
    { config: peerProtocol, schema: { hide: true, params: MemberParams, querystring: MemberWaitQuery, response: { 200: NetworkState } } },
    async (request, reply) => {
      const { network, member: name } = request.params;
      server.authenticate(network, name, bearer(request));
      const since = request.query.since === undefined ? -1 : Number(request.query.since);
      const gone = new AbortController();
      reply.raw.once('close', () => gone.abort());
      const state = await server.waitForChange(network, name, since, undefined, gone.signal);
      return reply.header('cache-control', 'no-store').send(state);
    },
  );

  app.delete<{ Params: { network: string; member: string } }>(
    '/vpn/v1/networks/:network/members/:member',
    { config: peerProtocol, schema: { hide: true, params: MemberParams } },
    async (request, reply) => {
      server.leave(request.params.network, request.params.member, bearer(request));
      return reply.code(204).send();
    },
  );
}
