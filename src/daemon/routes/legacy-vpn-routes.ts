// The 2015 getinconf endpoints, for getinconf-client nodes (see vpn/legacy-enrolment.ts). Public like the
// originals; a network answers only when its owner turned legacy enrolment on (403 otherwise).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import { ApiError } from '../api-error.ts';
import { legacyPublicKey, legacyScript, LegacyRequestError, parseLegacyPath } from '../vpn/legacy-enrolment.ts';
import type { VpnServer } from '../vpn/vpn-server.ts';
import { clientAddress } from './vpn-routes.ts';

const legacy = { access: 'public' as const };
const MULTIPART_LIMIT_BYTES = 16 * 1024;

export function registerLegacyVpnRoutes(app: FastifyInstance, server: VpnServer): void {
  void app.register(async (scope) => {
    // The client builds its multipart body by hand; we only need one small text field from it.
    scope.addContentTypeParser('multipart/form-data', { parseAs: 'string', bodyLimit: MULTIPART_LIMIT_BYTES }, (_request, body, done) => done(null, body));

    const get2 = (request: FastifyRequest, reply: FastifyReply) => {
      const segments = (request.params as { '*': string })['*'].split('/');
      try {
        const parsed = parseLegacyPath(segments);
        const body = typeof request.body === 'string' ? request.body : '';
        const key = body ? legacyPublicKey(body, request.headers['content-type'] ?? '') : null;
        if (body && !key) return reply.code(400).type('text/plain').send('The rsakeypub field is not one RSA public key.\n');
        const { state, publicKey } = server.enrolLegacy(parsed, key, clientAddress(request));
        return reply.type('text/plain; charset=utf-8').header('cache-control', 'no-store').send(legacyScript(state, parsed, publicKey));
      } catch (error) {
        if (error instanceof LegacyRequestError) return reply.code(400).type('text/plain').send(`${error.message}\n`);
        if (error instanceof ApiError) return reply.code(error.statusCode).type('text/plain').send(`${error.message}\n`);
        throw error;
      }
    };
    scope.get('/nodes/get2/*', { config: legacy, schema: { hide: true } }, get2);
    scope.post('/nodes/get2/*', { config: legacy, schema: { hide: true } }, get2);
    // The client compares this with its own address to tell whether it is behind NAT.
    scope.get('/pages/ip', { config: legacy, schema: { hide: true } }, (request, reply) => reply.type('text/plain').send(clientAddress(request)));
  });
}
