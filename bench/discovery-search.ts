// Section 1: search latency of a real node holding 200, then 10,000 records published by fake peers, through the API and the CLI.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { freePort, startNodeWithAdmin, type StartedNode } from '../test/support/cloudy-node.ts';
import { waitForSerf } from '../test/support/discovery-peers.ts';
import { type PanelSession, rawRequest } from '../test/support/panel-session.ts';
import { killIfAlive, onCleanup } from './bench-cleanup.ts';
import { bundledCli, type CliCommand, serfMembersCommand, startUpCommands, timeRoundRobin, tsxCli } from './discovery-cli-timing.ts';
import { type FakePeer, startFakePeers } from './discovery-fake-peers.ts';
import { cpuSeconds, pollUntil, progress, repeat, rssMb, sleep, spread, type Spread, timed } from './discovery-measure.ts';
import { profileSearch, type ProfileRow } from './discovery-search-profile.ts';
import type { TlsFiles } from './timed-start.ts';

const API_RUNS = 50;
const WARM_UP = 5;
/** cloudyd writes changed cache entries to SQLite every 5 s (PERSIST_INTERVAL_MS): measure after that pass. */
const SETTLE_MS = 6_000;
const ONE_TYPE = 'bench7';
const LARGE_FILL = [200, ...Array<number>(39).fill(250), 50];

/** What is asked: the default (what `cloudy search` sends), every record, one type. */
export const SEARCH_QUERIES: Array<{ label: string; query: Record<string, string> }> = [
  { label: 'default limit (as `cloudy search`)', query: {} },
  { label: 'limit=20000 (all)', query: { limit: '20000' } },
  { label: `type=${ONE_TYPE}&limit=20000`, query: { type: ONE_TYPE, limit: '20000' } },
];

export interface ApiFigure {
  label: string;
  records: number;
  bytes: number;
  cloudy: Spread;
  bare: Spread;
}

export interface SearchPhase {
  records: number;
  peers: number;
  fillMs: number;
  api: ApiFigure[];
  cli: Array<{ label: string; samples: number[] }>;
  /** `serf members` against the node's agent, each phase; Node and tsx start-ups in the quiet first phase. */
  baselines: Record<string, number[]>;
  /** CPU the fake peers' agents used while the CLI was timed, in cores (0.25 = a quarter of one core). */
  peerCpuShare: number;
  cloudydRssMb: number;
  serfRssMb: number;
}

export interface SearchFigures {
  phases: SearchPhase[];
  bundled: boolean;
  emptyCloudydRssMb: number;
  profile: ProfileRow[];
}

/** The whole baseline server: answers each path with the bytes of the file of the same name, nothing else. */
const BARE_SERVER = `
const fs = require('node:fs'), path = require('node:path');
require('node:https')
  .createServer({ key: fs.readFileSync(process.env.KEY_FILE), cert: fs.readFileSync(process.env.CERT_FILE) }, (request, response) => {
    const body = fs.readFileSync(path.join(process.env.BODY_DIR, path.basename(request.url)));
    response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length }).end(body);
  })
  .listen(Number(process.env.PORT), '127.0.0.1');
`;

async function sampleGets(baseUrl: string, urlPath: string, headers: Record<string, string>): Promise<{ samples: number[]; body: string }> {
  let body = '';
  const once = async () => {
    const { ms, value } = await timed(() => rawRequest(baseUrl, 'GET', urlPath, { headers }));
    if (value.status !== 200) throw new Error(`GET ${urlPath} answered ${value.status}`);
    body = JSON.stringify(value.body);
    return ms;
  };
  await repeat(WARM_UP, once);
  return { samples: await repeat(API_RUNS, once), body };
}

/** The same bodies from a bare node:https server in its own process: what TLS, HTTP and the transfer cost alone. */
async function sampleBare(bodies: string[], tls: TlsFiles, workDir: string): Promise<number[][]> {
  const dir = path.join(workDir, `bodies-${Date.now()}`);
  mkdirSync(dir);
  bodies.forEach((body, index) => writeFileSync(path.join(dir, `b${index}`), body));
  const port = await freePort();
  const child = spawn(process.execPath, ['-e', BARE_SERVER], { env: { ...process.env, KEY_FILE: tls.keyFile, CERT_FILE: tls.certFile, BODY_DIR: dir, PORT: String(port) }, stdio: 'ignore' });
  onCleanup(() => killIfAlive(child.pid));
  const baseUrl = `https://127.0.0.1:${port}`;
  const up = await pollUntil(async () => ((await rawRequest(baseUrl, 'GET', '/b0')).status === 200 ? true : undefined), 20, 10_000);
  if (!up) throw new Error('the bare HTTPS baseline server did not answer');
  const samples: number[][] = [];
  for (let index = 0; index < bodies.length; index++) samples.push((await sampleGets(baseUrl, `/b${index}`, {})).samples);
  killIfAlive(child.pid);
  return samples;
}

async function waitVisible(session: PanelSession, services: number, timeoutMs = 120_000): Promise<void> {
  const seen = await pollUntil(async () => {
    const { body } = await session.request('GET', '/api/discovery/status');
    return body?.visible?.services === services ? true : undefined;
  }, 200, timeoutMs);
  if (!seen) throw new Error(`the node did not show ${services} services within ${timeoutMs} ms`);
}

/** The node's agent, as its helper's supervisor recorded it. */
export function serfPid(root: string): number {
  return (JSON.parse(readFileSync(path.join(root, 'run/cloudy/supervisor/discovery.serf.json'), 'utf8')) as { pid: number }).pid;
}

async function measurePhase(
  context: { node: StartedNode; session: PanelSession; tls: TlsFiles; workDir: string; clis: CliCommand[] },
  peers: FakePeer[],
  fillMs: number,
  withStartUps: boolean,
): Promise<SearchPhase> {
  const { node, session, tls, workDir, clis } = context;
  const records = peers.reduce((sum, peer) => sum + peer.records, 0);
  progress(`search: ${records} records from ${peers.length} peers visible after ${(fillMs / 1000).toFixed(1)} s; settling`);
  await sleep(SETTLE_MS);
  const headers = { cookie: session.cookie };
  const paths = SEARCH_QUERIES.map(({ query }) => `/api/discovery/services${Object.keys(query).length > 0 ? `?${new URLSearchParams(query)}` : ''}`);
  const cloudy: Array<{ samples: number[]; body: string }> = [];
  for (const urlPath of paths) cloudy.push(await sampleGets(node.baseUrl, urlPath, headers));
  const bare = await sampleBare(cloudy.map(({ body }) => body), tls, workDir);
  const api = SEARCH_QUERIES.map(({ label }, index) => ({
    label,
    records: (JSON.parse(cloudy[index]!.body) as { records: unknown[] }).records.length,
    bytes: Buffer.byteLength(cloudy[index]!.body),
    cloudy: spread(cloudy[index]!.samples),
    bare: spread(bare[index]!),
  }));
  progress(`search: CLI runs over ${records} records`);
  const asks = records > 1000 ? [['--json', 'search'], ['--json', 'search', '--limit', '20000']] : [['--json', 'search']];
  const commands = clis.flatMap((cli) => asks.map((args) => ({ label: `${cli.label}: ${args.slice(1).join(' ')} --json`, argv: [...cli.prefix(node.root), ...args] })));
  const baselines = [serfMembersCommand(node.root), ...(withStartUps ? startUpCommands(node.root) : [])];
  const cpuBefore = peers.map((peer) => cpuSeconds(peer.agent.pid));
  const cpuStarted = performance.now();
  const samples = await timeRoundRobin([...commands, ...baselines]);
  const peerCpuShare = peers.reduce((sum, peer, index) => sum + cpuSeconds(peer.agent.pid) - cpuBefore[index]!, 0) / ((performance.now() - cpuStarted) / 1000);
  return {
    records,
    peers: peers.length,
    fillMs,
    api,
    cli: commands.map(({ label }) => ({ label, samples: samples.get(label)! })),
    baselines: Object.fromEntries(baselines.map(({ label }) => [label, samples.get(label)!])),
    peerCpuShare,
    cloudydRssMb: rssMb(node.state().cloudydPid),
    serfRssMb: rssMb(serfPid(node.root)),
  };
}

/** 200 records from one peer; then 40 more peers bring the cache to 10,000 (at most 256 per peer). */
export async function measureSearch(tls: TlsFiles, workDir: string): Promise<SearchFigures> {
  progress('search: starting a loopback node');
  const { node, session } = await startNodeWithAdmin();
  onCleanup(() => node.stop());
  await waitForSerf(session);
  const { body: settings } = await session.request('GET', '/api/discovery/settings');
  const join = `127.0.0.1:${settings.serfPort as number}`;
  const bundle = await bundledCli(workDir);
  const context = { node, session, tls, workDir, clis: [tsxCli, ...(bundle ? [bundle] : [])] };
  const emptyCloudydRssMb = rssMb(node.state().cloudydPid);

  const started = performance.now();
  const first = await startFakePeers(0, [200], join, tls);
  await waitVisible(session, 200);
  const small = await measurePhase(context, first, performance.now() - started, true);

  progress('search: starting 40 more fake peers');
  const restarted = performance.now();
  const more = await startFakePeers(1, LARGE_FILL.slice(1), join, tls);
  await waitVisible(session, 10_000);
  const large = await measurePhase(context, [...first, ...more], performance.now() - restarted, false);

  await Promise.all([...first, ...more].map((peer) => peer.agent.stop()));
  await node.stop();
  progress('search: the same 10,000 records searched in this process');
  const profile = await profileSearch(LARGE_FILL, SEARCH_QUERIES);
  return { phases: [small, large], bundled: bundle !== null, emptyCloudydRssMb, profile };
}
