// Where a search answer spends its time inside cloudyd: the same records in a RecordCache here, searched, stringified, served by Fastify.
import Fastify from 'fastify';

import { parsePeerDocument } from '../src/daemon/discovery/peer-document.ts';
import { RecordCache } from '../src/daemon/discovery/record-cache.ts';
import { replies } from '../src/shared/api-contract.ts';
import { SearchQuery, SearchResult } from '../src/shared/discovery-contract.ts';
import { fakePeerDocument } from './discovery-fake-peers.ts';
import { repeat, spread, type Spread, timed } from './discovery-measure.ts';

const RUNS = 20;

export interface ProfileRow {
  query: string;
  search: Spread;
  stringify: Spread;
  fastify: Spread;
  /** The same route without its response schema: Fastify falls back to JSON.stringify. */
  fastifyPlain: Spread;
}

/** The cache cloudyd holds after the fake peers of section 1 (record counts per peer), built through the same parsing. */
function filledCache(recordCounts: number[]): RecordCache {
  const cache = new RecordCache('BENCHSELF');
  recordCounts.forEach((records, index) => {
    const document = parsePeerDocument(fakePeerDocument(index, records), '127.0.0.1')!;
    cache.replaceNode('serf', document.nodeId, document.records);
    cache.setNodeRtt(document.nodeId, { ms: 0.2 + index / 100, source: 'coordinates' });
  });
  return cache;
}

async function sample(work: () => unknown): Promise<Spread> {
  await repeat(3, async () => (await timed(async () => work())).ms);
  return spread(await repeat(RUNS, async () => (await timed(async () => work())).ms));
}

/**
 * Per query: RecordCache.search alone; JSON.stringify of its answer; Fastify's inject() of a route with the real
 * route's schemas (search + response serialisation + in-memory HTTP, no TLS, no socket); and the same without the response schema.
 */
export async function profileSearch(recordCounts: number[], queries: Array<{ label: string; query: Record<string, string> }>): Promise<ProfileRow[]> {
  const cache = filledCache(recordCounts);
  const route = async (withResponseSchema: boolean) => {
    const app = Fastify({ logger: false, ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: true, allErrors: true } } });
    const schema = { querystring: SearchQuery, ...(withResponseSchema ? { response: replies(SearchResult) } : {}) };
    app.get<{ Querystring: SearchQuery }>('/api/discovery/services', { schema }, ({ query }) => cache.search({ type: query.type, limit: query.limit ? Number(query.limit) : undefined }));
    await app.ready();
    return app;
  };
  const [app, plain] = [await route(true), await route(false)];
  const rows: ProfileRow[] = [];
  for (const { label, query } of queries) {
    const options = { type: query.type, limit: query.limit ? Number(query.limit) : undefined };
    const result = cache.search(options);
    rows.push({
      query: label,
      search: await sample(() => cache.search(options)),
      stringify: await sample(() => JSON.stringify(result)),
      fastify: await sample(() => app.inject({ method: 'GET', url: '/api/discovery/services', query })),
      fastifyPlain: await sample(() => plain.inject({ method: 'GET', url: '/api/discovery/services', query })),
    });
  }
  await Promise.all([app.close(), plain.close()]);
  return rows;
}
