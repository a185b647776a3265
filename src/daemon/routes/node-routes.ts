// The node itself: facts for the dashboard and its hostname.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';

import { HostnameChangeRequest, NodeInfo, replies } from '../../shared/api-contract.ts';
import type { HelperClient } from '../helper-client.ts';
import type { SecureContextTarget, ServedCertificate } from '../served-certificate.ts';
import { readNodeInfo } from '../system-facts.ts';

export interface NodeRouteDeps {
  helper: HelperClient;
  root: string;
  dataDir: string;
  version: string;
  certificate?: ServedCertificate;
}

export function registerNodeRoutes(app: FastifyInstance, deps: NodeRouteDeps): void {
  // Dashboards poll this: one reading a second serves every open panel.
  let cached: { at: number; info: Promise<NodeInfo> } | null = null;
  app.get('/api/node', { schema: { response: replies(NodeInfo) } }, () => {
    if (!cached || Date.now() - cached.at > 1000) cached = { at: Date.now(), info: readNodeInfo(deps.root, deps.dataDir, deps.version) };
    return cached.info;
  });

  // One change at a time, so the certificate served and the name written end up agreeing.
  let changing: Promise<unknown> = Promise.resolve();
  app.put<{ Body: HostnameChangeRequest }>(
    '/api/node/hostname',
    { config: { access: 'admin' }, schema: { body: HostnameChangeRequest, response: { 204: Type.Null(), ...replies(Type.Null()) } } },
    async (request, reply) => {
      const { hostname } = request.body;
      const change = changing.then(async () => {
        // The certificate first: discovery republishes its tags when it sees the new name, and must find the new pin then.
        await deps.certificate?.follow(hostname, app.server as unknown as SecureContextTarget);
        await deps.helper.call('node.setHostname', { hostname });
      });
      changing = change.catch(() => undefined);
      await change;
      cached = null;
      return reply.code(204).send();
    },
  );
}
