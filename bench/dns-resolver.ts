// `npm run bench:dns`: the dnsservices module's named, configured by the module's own root actions for a community of
// 200 nodes and 500 services, against a plain named with a minimal hand-written config serving the same zone files,
// both measured in the same run with Debian's dnsperf from another lab host. Two workloads, neither needing the
// Internet: the community zone (authoritative answers) and another community's names that both got once through the
// same forwarder (answers from the cache).
import { writeFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { dnsservicesManifest } from '../src/modules/dnsservices/manifest.ts';
import { installFromMirror } from '../test/support/lab-node.ts';
import { dpkgInstalled } from '../test/support/module-lifecycle.ts';
import { createLab, type Lab, type LabHost } from '../test/support/netns-lab.ts';
import { onCleanup, runBench } from './bench-cleanup.ts';
import { progress } from './discovery-measure.ts';
import { startCloudyNamed, startPlainNamed, startUpstream, ZONE } from './dns-nameds.ts';
import { cachedQueryLines, ELSEWHERE, NODES, nodeName, queryLines, SERVICES } from './dns-zone-fixture.ts';
import { type DnsperfTarget, type Latency, measureLatency, measureThroughput, type Throughput } from './dnsperf.ts';
import { formatSection, median, ms, perSecond, ratio, type Section } from './report-table.ts';

/** Above 1024, so neither named needs the capability the module gives it for port 53. */
const PORTS = { cloudy: 5300, plain: 5301 } as const;
type Which = keyof typeof PORTS;
/** Many short rounds rather than a few long ones: other work on the machine comes and goes within seconds. */
const ROUNDS = 6;
const THROUGHPUT_SECONDS = 4;
const LATENCY_SECONDS = 3;
const LATENCY_RATE = 5000;

interface Workload { name: string; title: string; queryFile: string; queries: number; figures: Record<Which, { throughput: Throughput[]; latency: Latency[] }> }

/** The same answer from both, and not an empty one: the comparison is of the same data. */
async function sameAnswers(lab: Lab, client: LabHost, server: string, query: string[]): Promise<void> {
  const answers = await Promise.all(Object.values(PORTS).map(async (port) => (await lab.run(client, ['dig', `@${server}`, '-p', String(port), '+short', ...query])).stdout.split('\n').sort().join(' ').trim()));
  if (answers[0] === '' || answers[0] !== answers[1]) throw new Error(`the two nameds answer ${query.join(' ')} differently: "${answers[0]}" and "${answers[1]}"`);
}

function workload(root: string, name: string, title: string, lines: string[]): Workload {
  const queryFile = path.join(root, `${name}-queries.txt`);
  writeFileSync(queryFile, `${lines.join('\n')}\n`, { mode: 0o644 });
  return { name, title, queryFile, queries: lines.length, figures: { cloudy: { throughput: [], latency: [] }, plain: { throughput: [], latency: [] } } };
}

/** The medians of both, and the median of each round's ratio: a round's two runs share that moment's machine load. */
function section(work: Workload): Section {
  const row = <T>(label: string, format: (value: number) => string, runs: (which: Which) => T[], pick: (run: T) => number) => {
    const [cloudy, plain] = [runs('cloudy').map(pick), runs('plain').map(pick)];
    const pairedRatio = median(cloudy.map((value, round) => value / plain[round]!));
    return [label, format(median(cloudy)), format(median(plain)), Number.isFinite(pairedRatio) ? ratio(pairedRatio, 1) : 'n/a'];
  };
  const throughput = (which: Which) => work.figures[which].throughput;
  const latency = (which: Which) => work.figures[which].latency;
  const oddAnswers = [...throughput('cloudy'), ...throughput('plain')].map((run) => run.otherCodes).filter(Boolean);
  return {
    title: `${work.title} (${work.queries} distinct queries, EDNS0), median of ${ROUNDS} rounds`,
    headers: ['measure', 'dnsservices named', 'plain named', 'ratio'],
    rows: [
      row(`queries/s at full load (${THROUGHPUT_SECONDS} s, 100 in flight)`, perSecond, throughput, (run) => run.queriesPerSecond),
      row('average latency at full load', ms, throughput, (run) => run.averageLatencyMs),
      row(`p50 latency at ${LATENCY_RATE}/s`, ms, latency, (run) => run.p50Ms),
      row(`p99 latency at ${LATENCY_RATE}/s`, ms, latency, (run) => run.p99Ms),
      row('queries lost at full load', (value) => `${value.toFixed(2)} %`, throughput, (run) => run.lostPercent),
    ],
    notes: [
      `queries/s per round, dnsservices: ${throughput('cloudy').map((run) => Math.round(run.queriesPerSecond)).join(', ')}; plain: ${throughput('plain').map((run) => Math.round(run.queriesPerSecond)).join(', ')}.`,
      oddAnswers.length > 0 ? `answers other than NOERROR: ${[...new Set(oddAnswers)].join('; ')}` : 'every answer NOERROR.',
    ],
  };
}

async function main(): Promise<void> {
  const started = performance.now();
  const load = os.loadavg().map((value) => value.toFixed(1)).join(' ');
  // The lifecycle tests remove bind9; the bench installs what is missing and leaves it.
  const missing = [...dnsservicesManifest.packages, 'bind9-dnsutils', 'dnsperf'].filter((name) => !dpkgInstalled(name));
  if (missing.length > 0) {
    progress(`installing ${missing.join(', ')}`);
    installFromMirror(...missing);
  }
  const root = await mkdtemp(path.join(os.tmpdir(), 'cloudy-bench-dns-'));
  onCleanup(() => rm(root, { recursive: true, force: true }));
  // mkdtemp makes it 0700: named runs as the module's user and must reach its files below it.
  await chmod(root, 0o755);
  // h1: both nameds; h2: dnsperf; h3: the upstream they forward to.
  const lab = await createLab(3, { namePrefix: 'cdnsb' });
  onCleanup(() => lab.destroy());
  const [server, client, upstream] = lab.hosts as [LabHost, LabHost, LabHost];

  startUpstream(lab, upstream);
  const cloudyConfig = await startCloudyNamed(lab, server, root, PORTS.cloudy, upstream.address);
  startPlainNamed(lab, server, cloudyConfig, PORTS.plain, upstream.address);
  await Promise.all([lab.waitForTcp(client, upstream.address, 53, 30_000), ...Object.values(PORTS).map((port) => lab.waitForTcp(client, server.address, port, 30_000))]);
  for (const query of [[`${nodeName(7)}.${ZONE}`, 'A'], [`_services._dns-sd._udp.${ZONE}`, 'PTR'], [`host7.${ELSEWHERE}`, 'A']]) await sameAnswers(lab, client, server.address, query);

  const workloads = [
    workload(root, 'zone', `Authoritative answers from a community zone of ${NODES} nodes and ${SERVICES} services`, queryLines(ZONE)),
    workload(root, 'cached', `Cached answers: names of another community's zone, got once through the forwarder`, cachedQueryLines()),
  ];
  const target = (work: Workload, which: Which): DnsperfTarget => ({ lab, client, server: server.address, port: PORTS[which], queryFile: work.queryFile });
  // One pass over the forwarded names before any round, so every round asks only the cache.
  for (const which of ['cloudy', 'plain'] as const) await measureThroughput(target(workloads[1]!, which), 1, 10);
  for (let round = 1; round <= ROUNDS; round++) {
    // Each round starts with the other named, so a drift in the machine's load reaches both alike.
    const order = round % 2 === 1 ? (['cloudy', 'plain'] as const) : (['plain', 'cloudy'] as const);
    for (const work of workloads) {
      for (const which of order) {
        progress(`dns: round ${round}/${ROUNDS}: ${which} named, ${work.name}: ${THROUGHPUT_SECONDS} s full load, ${LATENCY_SECONDS} s at ${LATENCY_RATE}/s`);
        work.figures[which].throughput.push(await measureThroughput(target(work, which), THROUGHPUT_SECONDS));
        work.figures[which].latency.push(await measureLatency(target(work, which), LATENCY_SECONDS, LATENCY_RATE));
      }
    }
  }

  console.log(`\nCloudy DNS bench — ${new Date().toISOString()}, node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), load average at start ${load}, ${((performance.now() - started) / 1000).toFixed(0)} s`);
  console.log('Both nameds run in one lab host as the module’s user, dnsperf in another; ratios are module ÷ plain, the median of');
  console.log('the rounds’ own ratios (a round’s two runs share the machine’s load at that moment). dnsperf prints no percentiles:');
  console.log(`p50/p99 come from its per-query lines (-v) at a steady ${LATENCY_RATE}/s, below saturation.\n`);
  console.log(workloads.map(section).map(formatSection).join('\n\n'));
}

await runBench(main);
