// The node itself: facts for the dashboard and its hostname.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';

import { HostnameChangeRequest, NodeInfo, replies } from '../../shared/api-contract.ts';
import type { HelperClient } from '../helper-client.ts';
import { readNodeInfo } from '../system-facts.ts';

export function registerNodeRoutes(app: FastifyInstance, deps: { helper: HelperClient; root: string; dataDir: string; version: string }): void {
  app.get('/api/node', { schema: { response: replies(NodeInfo) } }, () => readNodeInfo(deps.root, deps.dataDir, deps.version));

  app.put<{ Body: HostnameChangeRequest }>(
    '/api/node/hostname',
    { config: { access: 'admin' }, schema: { body: HostnameChangeRequest, response: { 204: Type.Null(), ...replies(Type.Null()) } } },
    async (request, reply) => {
      await deps.helper.call('node.setHostname', { hostname: request.body.hostname });
      return reply.code(204).send();
    },
  );
}
