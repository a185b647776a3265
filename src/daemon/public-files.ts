// What modules serve to anyone, over HTTPS and on the plain HTTP port, while they run: single files (proxy.pac,
// wpad.dat) and, for a module with a `publicData` hook, everything under `/<module id>/` (a graph server's badges).
import type { IncomingMessage, ServerResponse } from 'node:http';

import type { FastifyInstance } from 'fastify';

import type { ModuleDefinition, PublicData } from '../kit/module-hooks.ts';
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

/** Paths under a module's public tree: plain segments only (no `..`, no encoded characters). */
const PUBLIC_DATA_PATH = /^(?:[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}\/){0,4}[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;
const MAX_QUERY_LENGTH = 1000;

/** The modules that serve a public tree, by the first segment of its URLs. */
function publicDataModules(modules: ModuleService): Set<string> {
  return new Set(modules.definitions().flatMap(({ manifest, hooks }) => (hooks.publicData ? [manifest.id] : [])));
}

/** `/<module>/<path>?<query>` → what the module serves there now, or null (404). */
async function publicData(modules: ModuleService, url: string): Promise<PublicData | null> {
  const [pathPart = '', query = ''] = url.split(/\?(.*)/s, 2);
  const [, module = '', rest = ''] = /^\/([a-z][a-z0-9-]{1,31})\/(.*)$/.exec(pathPart) ?? [];
  if (!PUBLIC_DATA_PATH.test(rest) || query.length > MAX_QUERY_LENGTH) return null;
  const { definition, state, runtime } = await modules.hookContext(module);
  if (!definition.hooks.publicData || !state.running) return null;
  return definition.hooks.publicData(runtime, rest, new URLSearchParams(query));
}

function publicDataHeaders(data: PublicData): Record<string, string> {
  return { 'content-type': data.contentType, 'cache-control': data.maxAgeSeconds ? `public, max-age=${data.maxAgeSeconds}` : 'no-cache' };
}

/** The Host header without its port, if it is a plain name or address; what the client used to reach the node. */
export function requestHost(header: string | undefined): string | null {
  const host = (header ?? '').replace(/:\d+$/, '');
  return /^([A-Za-z0-9.-]{1,253}|\[[0-9a-fA-F:]{2,39}\])$/.test(host) ? host : null;
}

export function registerPublicFileRoutes(app: FastifyInstance, modules: ModuleService): void {
  for (const module of publicDataModules(modules)) {
    app.get(`/${module}/*`, { config: { access: 'public' }, schema: { hide: true } }, async (request, reply) => {
      const data = await publicData(modules, request.url);
      if (data === null) return reply.code(404).type('text/plain').send('Not served now.\n');
      return reply.headers(publicDataHeaders(data)).send(typeof data.body === 'string' ? data.body : Buffer.from(data.body));
    });
  }
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
  if (request.method === 'GET' && publicDataModules(modules).has(path.split('/')[1] ?? '')) {
    const data = await publicData(modules, request.url ?? '').catch(() => null);
    if (data === null) response.writeHead(404, { 'content-type': 'text/plain' }).end('Not served now.\n');
    else response.writeHead(200, publicDataHeaders(data)).end(data.body);
    return true;
  }
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
