// `npm run bench`: measures a real Cloudy node against bare-node baselines taken in the same run and prints the figures.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { repoDir } from '../test/support/cloudy-node.ts';
import { PanelSession } from '../test/support/panel-session.ts';
import { onCleanup, runBench } from './bench-cleanup.ts';
import { loadShape, measureLoad, type LoadFigures } from './http-load.ts';
import { measurePanelLoad, type PanelLoad } from './panel-load.ts';
import { formatSection, kb, mb, median, ms, perSecond, ratio, type Section } from './report-table.ts';
import { makeBaselineCert, startIdleNode, startTimedBaselineServer, startTimedCloudyNode, type TimedCloudyNode } from './timed-start.ts';

const COLD_STARTS = 3;
const IDLE_MS = 5_000;
const PANEL_GOAL_BYTES = 100 * 1024;

const progress = (message: string) => console.error(`bench: ${message}`);

function rssMb(pid: number | null | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kilobytes = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
  if (!kilobytes) throw new Error(`/proc/${pid}/status has no VmRSS line`);
  return Number(kilobytes) / 1024;
}

async function measureColdStarts(tlsDir: string): Promise<{ section: Section; node: TimedCloudyNode }> {
  const tls = await makeBaselineCert(tlsDir);
  const baselineMs: number[] = [];
  for (let run = 1; run <= COLD_STARTS; run++) {
    const server = await startTimedBaselineServer(tls);
    baselineMs.push(server.startMs);
    await server.stop();
  }
  const cloudyMs: number[] = [];
  let node: TimedCloudyNode | undefined;
  for (let run = 1; run <= COLD_STARTS; run++) {
    progress(`cold start ${run}/${COLD_STARTS}`);
    await node?.stop();
    node = await startTimedCloudyNode();
    cloudyMs.push(node.startMs);
  }
  const [cloudy, baseline] = [median(cloudyMs), median(baselineMs)];
  return {
    // The last node stays up: it is the one measured idle, in the browser and under load.
    node: node!,
    section: {
      title: `1. Cold start → first 200 of GET /api/health (median of ${COLD_STARTS}, fresh root dir each)`,
      headers: ['', 'Cloudy', 'Baseline', 'Ratio'],
      rows: [
        ['median', ms(cloudy), ms(baseline), ratio(cloudy, baseline)],
        ['runs', cloudyMs.map(ms).join(', '), baselineMs.map(ms).join(', '), ''],
      ],
      notes: ['Baseline: `node -e` node:https server with an openssl P-256 certificate, polled the same way (every 20 ms).'],
    },
  };
}

async function measureIdleMemory(node: TimedCloudyNode): Promise<Section> {
  const idle = startIdleNode();
  await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
  const { pid, helperPid, cloudydPid } = node.state();
  const [cloudyd, helper, keeper, bare] = [rssMb(cloudydPid), rssMb(helperPid), rssMb(pid), rssMb(idle.pid)];
  return {
    title: `2. Idle RSS after ${IDLE_MS / 1000} s (VmRSS from /proc/<pid>/status)`,
    headers: ['', 'Cloudy', 'Baseline', 'Ratio'],
    rows: [
      ['cloudyd', mb(cloudyd), mb(bare), ratio(cloudyd, bare)],
      ['cloudy-helper', mb(helper), mb(bare), ratio(helper, bare)],
      ['cloudyd + helper', mb(cloudyd + helper), mb(bare), ratio(cloudyd + helper, bare)],
      ['keeper loop, bin/cloudy (listed apart)', mb(keeper), mb(bare), ratio(keeper, bare)],
    ],
    notes: ["Baseline: one bare `node -e 'setInterval(() => {}, 1000)'` process."],
  };
}

function panelSection(load: PanelLoad): Section {
  const kinds = ['html', 'js', 'css'] as const;
  const sum = (files: PanelLoad['files'], key: 'wireBytes' | 'builtBytes') => files.reduce((total, file) => total + file[key], 0);
  const rows = kinds.map((kind) => {
    const files = load.files.filter((file) => file.kind === kind);
    const [wire, built] = [sum(files, 'wireBytes'), sum(files, 'builtBytes')];
    return [`${kind} (${files.length} file${files.length === 1 ? '' : 's'}, ${[...new Set(files.map((file) => file.encoding))].join('/') || '-'})`, kb(wire), kb(built), ratio(built, wire)];
  });
  const [wire, built] = [sum(load.files, 'wireBytes'), sum(load.files, 'builtBytes')];
  const api = load.otherRequests;
  const refused = api.filter((request) => request.status === 401);
  return {
    title: '3. Bytes on the wire for the first panel load after login (headless Chromium, encoded body sizes)',
    headers: ['', 'On the wire', 'Built (dist/web)', 'Compression'],
    rows: [...rows, ['HTML + JS + CSS', kb(wire), kb(built), ratio(built, wire)]],
    notes: [
      `goal ≤ 100 KB: ${wire <= PANEL_GOAL_BYTES ? 'met' : 'not met'} (${kb(wire)})`,
      `other requests (not counted): ${api.length}, ${kb(api.reduce((total, request) => total + request.wireBytes, 0))}: ${api.map((request) => `${request.urlPath} ${request.status}`).join(', ') || 'none'}`,
      ...(refused.length > 0 ? ['WARNING: the API refused the session cookie (401): the panel loaded signed out.'] : []),
    ],
  };
}

function loadSection(figures: { name: string; load: LoadFigures }[], baseline: LoadFigures, cloudydRssAfter: number): Section {
  const row = (name: string, load: LoadFigures) => [
    name,
    perSecond(load.requestsPerSecond),
    ratio(load.requestsPerSecond, baseline.requestsPerSecond),
    ms(load.p50Ms),
    ratio(load.p50Ms, baseline.p50Ms),
    ms(load.p99Ms),
    ratio(load.p99Ms, baseline.p99Ms),
    `${Math.round(load.serverCpuMicrosPerRequest)} µs`,
    ratio(load.serverCpuMicrosPerRequest, baseline.serverCpuMicrosPerRequest),
    load.failures,
  ];
  return {
    title: `4. Throughput and latency over HTTPS (autocannon, ${loadShape})`,
    headers: ['', 'Requests', 'vs base', 'p50', 'vs base', 'p99', 'vs base', 'Server CPU/req', 'vs base', 'Failures'],
    rows: [row('baseline: bare node:https JSON', baseline), ...figures.map(({ name, load }) => row(name, load))],
    notes: [
      'Requests send accept-encoding: gzip like a browser. autocannon runs in this process on the same machine, so requests/s',
      "can be capped by the client; server CPU/req (the server process's utime + stime ÷ requests) is not.",
      `cloudyd RSS after the load: ${mb(cloudydRssAfter)}`,
    ],
  };
}

async function main(): Promise<void> {
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'cloudy-bench-'));
  onCleanup(() => rmSync(workDir, { recursive: true, force: true }));
  const sections: Section[] = [];

  const { section: coldStart, node } = await measureColdStarts(workDir);
  sections.push(coldStart);
  progress(`idle for ${IDLE_MS / 1000} s`);
  sections.push(await measureIdleMemory(node));

  const session = new PanelSession(node.baseUrl);
  const setup = await session.setup(node.setupCode());
  if (setup.status !== 200) throw new Error(`POST /api/setup answered ${setup.status}: ${JSON.stringify(setup.body)}`);
  progress('panel load in Chromium');
  sections.push(panelSection(await measurePanelLoad(node.baseUrl, session.cookie, path.join(repoDir, 'dist/web'))));

  const gzip = { 'accept-encoding': 'gzip' };
  const baselineServer = await startTimedBaselineServer({ keyFile: path.join(workDir, 'key.pem'), certFile: path.join(workDir, 'cert.pem') });
  const targets = [
    { name: 'GET / (login page)', url: `${node.baseUrl}/`, headers: gzip },
    { name: 'GET /api/session (cookie)', url: `${node.baseUrl}/api/session`, headers: { ...gzip, cookie: session.cookie } },
    { name: 'GET /api/node (cookie)', url: `${node.baseUrl}/api/node`, headers: { ...gzip, cookie: session.cookie } },
  ];
  progress(`load: baseline (${loadShape})`);
  const baseline = await measureLoad(baselineServer.url, baselineServer.child.pid!, gzip);
  await baselineServer.stop();
  const figures: { name: string; load: LoadFigures }[] = [];
  for (const target of targets) {
    progress(`load: ${target.name}`);
    figures.push({ name: target.name, load: await measureLoad(target.url, node.state().cloudydPid!, target.headers) });
  }
  sections.push(loadSection(figures, baseline, rssMb(node.state().cloudydPid)));

  console.log(`\nCloudy bench — ${new Date().toISOString()}, node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'})`);
  console.log('Ratios are Cloudy ÷ baseline (compression: built ÷ wire); baselines were measured in this run.\n');
  console.log(sections.map(formatSection).join('\n\n'));
}

await runBench(main);
