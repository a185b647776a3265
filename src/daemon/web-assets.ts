// Serves the built panel from memory, pre-compressed: cloudyd may not read the checkout after dropping root.
import { gzipSync } from 'node:zlib';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

interface Asset {
  body: Buffer;
  gzipped: Buffer;
  type: string;
  immutable: boolean;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
};

function collect(dir: string, prefix = ''): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const name of readdirSync(dir)) {
    const file = path.join(dir, name);
    const urlPath = `${prefix}/${name}`;
    if (statSync(file).isDirectory()) {
      for (const [key, asset] of collect(file, urlPath)) assets.set(key, asset);
      continue;
    }
    const body = readFileSync(file);
    // Vite puts content hashes in names under /assets/: those never change.
    assets.set(urlPath, { body, gzipped: gzipSync(body, { level: 9 }), type: TYPES[path.extname(name)] ?? 'application/octet-stream', immutable: urlPath.startsWith('/assets/') });
  }
  return assets;
}

function send(request: FastifyRequest, reply: FastifyReply, asset: Asset): FastifyReply {
  const acceptsGzip = /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
  reply
    .type(asset.type)
    .header('cache-control', asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
    .header('vary', 'accept-encoding');
  if (acceptsGzip) reply.header('content-encoding', 'gzip');
  return reply.send(acceptsGzip ? asset.gzipped : asset.body);
}

export type WebAssets = Map<string, Asset>;

/** Reads the built panel into memory; a missing build is a clear startup error. */
export function loadWebAssets(distDir: string): WebAssets {
  if (!existsSync(path.join(distDir, 'index.html'))) {
    throw new Error(`The web panel is not built (${distDir}/index.html is missing): run "npm run build" first.`);
  }
  return collect(distDir);
}

/** Serves the panel's files, with index.html for every other path (the panel routes itself). */
export function registerWebAssets(app: FastifyInstance, assets: WebAssets): void {
  const index = assets.get('/index.html')!;
  app.get('/*', { config: { access: 'public' }, schema: { hide: true } }, async (request, reply) => {
    const urlPath = request.url.split('?')[0]!;
    if (urlPath.startsWith('/api/')) return reply.code(404).send({ error: 'not_found', message: `No API route ${urlPath}.` });
    return send(request, reply, assets.get(urlPath) ?? index);
  });
}
