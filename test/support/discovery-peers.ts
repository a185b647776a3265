// Test helpers for discovery: a node's Serf address, waiting on searches, and plain agents posing as peers.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import type { SearchResult, ServiceRecord } from '../../src/shared/discovery-contract.ts';
import type { StartedNode } from './cloudy-node.ts';
import type { PanelSession } from './panel-session.ts';

/** `ADDR:PORT` the node's Serf agent gossips on, from the agent config its helper wrote. */
export function serfAddressOf(node: StartedNode): string {
  const config = JSON.parse(readFileSync(path.join(node.root, 'var/lib/cloudy-serf/agent.json'), 'utf8')) as { bind: string };
  return config.bind;
}

export async function searchAll(session: PanelSession, query = ''): Promise<SearchResult> {
  const reply = await session.request<SearchResult>('GET', `/api/discovery/services?limit=20000${query}`);
  if (reply.status !== 200) throw new Error(`search answered ${reply.status}: ${JSON.stringify(reply.body)}`);
  return reply.body;
}

/** Polls the node's search until `accept` returns a value (not undefined). */
export async function waitForRecords<T>(session: PanelSession, what: string, accept: (records: ServiceRecord[]) => T | undefined, timeoutMs = 30_000, query = ''): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: ServiceRecord[] = [];
  for (;;) {
    last = (await searchAll(session, query)).records;
    const value = accept(last);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; search had ${last.length} records: ${JSON.stringify(last.slice(0, 5))}`);
    await sleep(250);
  }
}

/** The node's Serf agent is up and answering on its RPC port (it may still be installing serf). */
export async function waitForSerf(session: PanelSession, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await session.request('GET', '/api/discovery/status');
    if (body?.backends?.serf?.state === 'running') return;
    if (Date.now() > deadline) throw new Error(`serf backend not running: ${JSON.stringify(body?.backends)}`);
    await sleep(250);
  }
}

/** A 2015 `services` tag value made by the real tools, exactly as the old plug-in did: base64 -w0 (bzip2 (JSON)). */
export function legacyTagWithRealTools(json: string): string {
  const compressed = execFileSync('bzip2', ['-c'], { input: json });
  return compressed.toString('base64');
}

/** Decodes a legacy tag with the real tools an old node used: base64 -d | bunzip2. */
export function decodeWithRealTools(value: string): unknown {
  const compressed = execFileSync('base64', ['-d'], { input: value });
  return JSON.parse(execFileSync('bzip2', ['-dc'], { input: compressed }).toString('utf8'));
}
