// Files modules serve to anyone (proxy.pac, wpad.dat), over HTTPS and on the plain HTTP port, while they run.
import type { IncomingMessage, ServerResponse } from 'node:http';

import type { FastifyInstance } from 'fastify';

import type { ModuleDefinition } from '../kit/module-hooks.ts';
import type { ModuleService } from './module-service.ts';

/** Every path some module serves to anyone (manifest `publicFiles`), with its owner and type. */
export function publicFilePaths(definitions: ModuleDefinition[]): Map<string, { module: string; contentType: string }> {
  const paths = new Map<string, { module: string; contentType: string }>();
  for (const { manifest } of definitions) {
    for (const file of manifest.publicFiles ?? []) {
      if (!/^\/[a-z0-9][a-z0-9._-]{0,63}$/.test(file.path) || paths.has(file.path)) throw new Error(`${manifest.id}: public file ${file.path} is not one free segment`);
      paths.set(file.path, { module: manifest.id, contentType: file.contentType });
    }
  }
  return paths;
}

/** A public file's text while its module runs; null when it does not (or the module has nothing to say). */
async function publicFile(modules: ModuleService, module: string, path: string, host: string): Promise<string | null> {
  const { definition, state, runtime } = await modules.hookContext(module);
  if (!definition.hooks.publicFile || !state.running) return null;
  return definition.hooks.publicFile(runtime, path, { host });
}

/** The Host header without its port, if it is a plain name or address; what the client used to reach the node. */
export function requestHost(header: string | undefined): string | null {
  const host = (header ?? '').replace(/:\d+$/, '');
  return /^([A-Za-z0-9.-]{1,253}|\[[0-9a-fA-F:]{2,39}\])$/.test(host) ? host : null;
}

export function registerPublicFileRoutes(app: FastifyInstance, modules: ModuleService): void {
  for (const [path, { module, contentType }] of publicFilePaths(modules.definitions())) {
    app.get(path, { config: { access: 'public' }, schema: { hide: true } }, async (request, reply) => {
      const host = requestHost(request.headers.host);
      const text = host === null ? null : await publicFile(modules, module, path, host);
      if (text === null) return reply.code(404).type('text/plain').send('Not served now.\n');
      return reply.type(contentType).header('cache-control', 'no-cache').send(text);
    });
  }
}

/** For the plain HTTP server: answers a public file's request and returns true, or returns false (not one of them). */
export async function servePublicFile(modules: ModuleService, request: IncomingMessage, response: ServerResponse): Promise<boolean> {
  const path = (request.url ?? '').split('?')[0] ?? '';
  const declared = publicFilePaths(modules.definitions()).get(path);
  if (!declared || request.method !== 'GET') return false;
  const host = requestHost(request.headers.host);
  const text = host === null ? null : await publicFile(modules, declared.module, path, host).catch(() => null);
  if (text === null) {
    response.writeHead(404, { 'content-type': 'text/plain' }).end('Not served now.\n');
  } else {
    response.writeHead(200, { 'content-type': declared.contentType, 'cache-control': 'no-cache' }).end(text);
  }
  return true;
}
