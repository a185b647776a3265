// Proxies a module's own web UI (e.g. Syncthing's) under /apps/<id>/, for administrators only: it acts with the module's API key.
import http from 'node:http';

import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';

import { MODULE_ID_PATTERN, SESSION_COOKIE } from '../../shared/http-names.ts';
import { notFound } from '../api-error.ts';
import type { ModuleService } from '../module-service.ts';
import { moduleUiHeaders } from '../security-headers.ts';

/** Hop-by-hop headers, plus our own credentials: the module's UI gets its key from the manifest instead. */
const NOT_FORWARDED = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host', 'authorization', 'x-csrf-token']);

/** Drops our own session cookie: the proxied program has no business seeing it. */
function withoutSessionCookie(cookieHeader: string | undefined): string | undefined {
  const kept = (cookieHeader ?? '')
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part && !part.startsWith(`${SESSION_COOKIE}=`));
  return kept.length > 0 ? kept.join('; ') : undefined;
}

export function registerWebUiProxy(app: FastifyInstance, modules: ModuleService): void {
  void app.register(async (scope) => {
    // Leave bodies unread so they stream to the upstream untouched.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null));

    scope.get<{ Params: { id: string } }>('/apps/:id', { config: { access: 'admin' }, schema: { hide: true } }, (request, reply) => reply.redirect(`/apps/${request.params.id}/`));

    scope.all<{ Params: { id: string; '*': string } }>(
      '/apps/:id/*',
      { config: { access: 'admin', sameOriginSuffices: true }, schema: { params: Type.Object({ id: Type.String({ pattern: MODULE_ID_PATTERN }), '*': Type.String() }) } },
      async (request, reply) => {
        const webUi = modules.webUi(request.params.id);
        if (!webUi) throw notFound(`A web UI for ${request.params.id}`);
        const target = new URL(webUi.target);
        const headers: http.OutgoingHttpHeaders = {};
        for (const [name, value] of Object.entries(request.headers)) if (!NOT_FORWARDED.has(name) && name !== 'cookie') headers[name] = value;
        const cookie = withoutSessionCookie(request.headers.cookie);
        if (cookie) headers.cookie = cookie;
        Object.assign(headers, webUi.headers, { host: target.host });
        const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
        reply.hijack();
        const upstream = http.request(
          { host: target.hostname, port: target.port, method: request.method, path: `/${request.params['*']}${query}`, headers },
          (response) => {
            const responseHeaders = { ...response.headers };
            delete responseHeaders.connection;
            if (typeof responseHeaders.location === 'string' && responseHeaders.location.startsWith('/')) {
              responseHeaders.location = `/apps/${request.params.id}${responseHeaders.location}`;
            }
            reply.raw.writeHead(response.statusCode ?? 502, moduleUiHeaders(responseHeaders, request.protocol === 'https'));
            response.pipe(reply.raw);
          },
        );
        upstream.on('error', (error) => {
          if (!reply.raw.headersSent) reply.raw.writeHead(502, { 'content-type': 'application/json' });
          reply.raw.end(JSON.stringify({ error: 'bad_gateway', message: `The module's web UI does not answer (${error.message}); is it running?` }));
        });
        request.raw.pipe(upstream);
      },
    );
  });
}
