// The node itself: facts for the dashboard and its hostname.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';

import { HostnameChangeRequest, NodeInfo, replies } from '../../shared/api-contract.ts';
import type { HelperClient } from '../helper-client.ts';
import { readNodeInfo } from '../system-facts.ts';

export function registerNodeRoutes(app: FastifyInstance, deps: { helper: HelperClient; root: string; dataDir: string; version: string }): void {
  // Dashboards poll this: one reading a second serves every open panel.
  let cached: { at: number; info: Promise<NodeInfo> } | null = null;
  app.get('/api/node', { schema: { response: replies(NodeInfo) } }, () => {
    if (!cached || Date.now() - cached.at > 1000) cached = { at: Date.now(), info: readNodeInfo(deps.root, deps.dataDir, deps.version) };
    return cached.info;
  });

  app.put<{ Body: HostnameChangeRequest }>(
    '/api/node/hostname',
    { config: { access: 'admin' }, schema: { body: HostnameChangeRequest, response: { 204: Type.Null(), ...replies(Type.Null()) } } },
    async (request, reply) => {
      await deps.helper.call('node.setHostname', { hostname: request.body.hostname });
      cached = null;
      return reply.code(204).send();
    },
  );
}
