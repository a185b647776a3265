// Section 3: publish on h1 → visible on h2 across a 20-agent Serf cluster (mDNS off), against a raw tag change between plain agents.
import { SerfRpcClient } from '../src/daemon/discovery/serf/serf-rpc-client.ts';
import type { SerfAgent } from '../test/support/serf-agent.ts';
import { onCleanup } from './bench-cleanup.ts';
import { type BenchLab, discoveryStatus, findRecord, publishOn, SERF_PORT, startPlainAgents } from './discovery-lab.ts';
import { POLL_MS } from './discovery-mdns.ts';
import { pollUntil, progress, sleep } from './discovery-measure.ts';

export const SERF_ROUNDS = 20;
const BASELINE_POLL_MS = 10;
const ROUND_TIMEOUT_MS = 10_000;
const BETWEEN_ROUNDS_MS = 1_100;

export interface SerfFigures {
  agents: number;
  convergeMs: number;
  /** null: not visible within ROUND_TIMEOUT_MS. */
  cloudyMs: Array<number | null>;
  tagMs: Array<number | null>;
  apiMs: number[];
  /** Rounds whose publish answer did not list the new record yet (see publishOn). */
  unlisted: number;
  /** Rounds whose record reached h2 with mdns among its sources (should be none: mDNS is off). */
  viaMdns: number;
  baselineMs: Array<number | null>;
  /** How long the baseline's tags request took to be answered. */
  tagRpcMs: number[];
}

/** Every agent of the cluster alive, as the watcher node and both plain RPC agents see it. */
async function waitConverged(bench: BenchLab, clients: SerfRpcClient[], agents: number): Promise<void> {
  const converged = await pollUntil(async () => {
    const status = await discoveryStatus(bench.s2);
    const lists = await Promise.all(clients.map((client) => client.members()));
    const allAlive = status.backends.serf.alive === agents && lists.every((list) => list.filter((member) => member.status === 'alive').length === agents);
    return allAlive && status.backends.mdns.state === 'off' ? true : undefined;
  }, 100, 60_000);
  if (!converged) throw new Error(`the cluster did not converge on ${agents} alive agents within 60 s`);
}

interface CloudyRound {
  /** POST on h1 → the record in h2's search; null when not seen within ROUND_TIMEOUT_MS. */
  ms: number | null;
  /** POST on h1 → h1's new `cy` digest tag in a plain agent's `members`. */
  tagMs: number | null;
  apiMs: number;
  listed: boolean;
  viaMdns: boolean;
}

async function cloudyRound(bench: BenchLab, watcher: SerfRpcClient, round: number): Promise<CloudyRound> {
  const [type, port] = [`serfr${round}`, 32_000 + round];
  const h1Tag = async () => (await watcher.members()).find((member) => member.name.startsWith(`${bench.h1.host.name}-`))?.tags.cy;
  const tagBefore = await h1Tag();
  const started = performance.now();
  let viaMdns = false;
  const answered = publishOn(bench.s1, type, port, `Serf round ${round}`);
  const tagSeen = pollUntil(async () => ((await h1Tag()) !== tagBefore ? performance.now() - started : undefined), BASELINE_POLL_MS, ROUND_TIMEOUT_MS);
  const visible = pollUntil(async () => {
    const record = await findRecord(bench.s2, type, port, bench.h1.host.name);
    if (!record) return undefined;
    viaMdns = record.sources.includes('mdns');
    return performance.now() - started;
  }, POLL_MS, ROUND_TIMEOUT_MS);
  const [ms, tagMs, { ms: apiMs, listed }] = await Promise.all([visible, tagSeen, answered]);
  return { ms: ms ?? null, tagMs: tagMs ?? null, apiMs, listed, viaMdns };
}

/** `serf tags -set` on one plain agent, polled with `serf members` on another (both over RPC, as the CLI does). */
async function baselineRound(setter: SerfRpcClient, watcher: SerfRpcClient, setterName: string, round: number): Promise<{ ms: number | null; rpcMs: number }> {
  const value = `r${round}`;
  const started = performance.now();
  // Serf answers the tags request only once memberlist has finished gossiping the change (UpdateNode blocks).
  const setting = setter.setTags({ bench: value }).then(() => performance.now() - started);
  const ms = await pollUntil(async () => {
    const members = await watcher.members();
    return members.find((member) => member.name === setterName)?.tags.bench === value ? performance.now() - started : undefined;
  }, BASELINE_POLL_MS, ROUND_TIMEOUT_MS);
  return { ms: ms ?? null, rpcMs: await setting };
}

export async function measureSerfCluster(bench: BenchLab): Promise<SerfFigures> {
  const plainHosts = bench.lab.hosts.slice(2);
  progress(`serf: ${plainHosts.length} plain agents join h1; mDNS off on both nodes`);
  const started = performance.now();
  const agents: SerfAgent[] = await startPlainAgents(bench.lab, plainHosts, `${bench.h1.host.address}:${SERF_PORT}`);
  await Promise.all([bench.h1.cli('discovery', 'configure', 'mdns=false'), bench.h2.cli('discovery', 'configure', 'mdns=false')]);
  const [setterHost, watcherHost] = [plainHosts[0]!, plainHosts[plainHosts.length - 1]!];
  const connect = (address: string) => SerfRpcClient.connect({ host: address, port: agents[0]!.rpcPort });
  const [setter, watcher] = await Promise.all([connect(setterHost.address), connect(watcherHost.address)]);
  onCleanup(() => {
    setter.close();
    watcher.close();
  });
  const total = plainHosts.length + 2;
  await waitConverged(bench, [setter, watcher], total);
  const convergeMs = performance.now() - started;
  const figures: SerfFigures = { agents: total, convergeMs, cloudyMs: [], tagMs: [], apiMs: [], unlisted: 0, viaMdns: 0, baselineMs: [], tagRpcMs: [] };
  for (let round = 0; round < SERF_ROUNDS; round++) {
    progress(`serf: round ${round + 1}/${SERF_ROUNDS}`);
    const cloudy = await cloudyRound(bench, watcher, round);
    figures.cloudyMs.push(cloudy.ms);
    figures.tagMs.push(cloudy.tagMs);
    figures.apiMs.push(cloudy.apiMs);
    if (!cloudy.listed) figures.unlisted += 1;
    if (cloudy.viaMdns) figures.viaMdns += 1;
    const baseline = await baselineRound(setter, watcher, `${setterHost.name}-plain`, round);
    figures.baselineMs.push(baseline.ms);
    figures.tagRpcMs.push(baseline.rpcMs);
    await sleep(BETWEEN_ROUNDS_MS);
  }
  return figures;
}
