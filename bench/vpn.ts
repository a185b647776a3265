// `npm run bench:vpn`: join → first overlay ping, overlay throughput against raw veth and against plain tincd with
// other settings, idle RSS of tincd; every baseline measured in the same run, in one lab of network namespaces.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { installFromMirror, type LabNode, removeRoots, startLabNode } from '../test/support/lab-node.ts';
import { createLab, type LabHost } from '../test/support/netns-lab.ts';
import { onCleanup, runBench } from './bench-cleanup.ts';
import { formatSection } from './report-table.ts';
import { measureJoins, tincdPid } from './vpn-join.ts';
import { machineBusyDuring, progress, rssMb } from './vpn-measure.ts';
import { PLAIN_SETTINGS, type PlainPair, startPlainPair, writePlainPairs } from './vpn-plain-tinc.ts';
import { joinSection, memorySection, summaryLine, throughputSection, type VpnFigures } from './vpn-report.ts';
import { measureThroughput } from './vpn-throughput.ts';

/** A server and three members: three join samples, and two members for the overlay throughput. */
const CLOUDY_HOSTS = 4;
const IDLE_MS = 5_000;

/** VmRSS of a PID that must be a tincd (guards against reading some other process's figure). */
async function tincdRssMb(pid: number): Promise<number> {
  const name = (await readFile(`/proc/${pid}/comm`, 'utf8')).trim();
  if (name !== 'tincd') throw new Error(`PID ${pid} is ${name}, not tincd`);
  return rssMb(pid);
}

async function main(): Promise<void> {
  const started = performance.now();
  // Lab hosts cannot reach Debian's mirror: what the nodes and the bench run there is installed machine-wide first.
  installFromMirror('tinc', 'iputils-ping', 'serf', 'iperf3');
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'cloudy-bench-vpn-'));
  onCleanup(() => rm(workDir, { recursive: true, force: true }));
  const lab = await createLab(CLOUDY_HOSTS + 2 * PLAIN_SETTINGS.length, { namePrefix: 'cvpn' });
  const nodes: LabNode[] = [];
  onCleanup(async () => {
    await lab.destroy();
    await removeRoots(nodes);
  });
  const cloudyHosts = lab.hosts.slice(0, CLOUDY_HOSTS);
  const hostPairs = PLAIN_SETTINGS.map((_, index) => [lab.hosts[CLOUDY_HOSTS + 2 * index]!, lab.hosts[CLOUDY_HOSTS + 2 * index + 1]!] as [LabHost, LabHost]);

  progress(`lab: ${lab.hosts.length} hosts; Cloudy nodes on ${cloudyHosts.map((host) => host.name).join(', ')}; writing plain tinc pairs meanwhile`);
  const [starts] = await Promise.all([Promise.allSettled(cloudyHosts.map((host) => startLabNode(lab, host))), writePlainPairs(workDir, hostPairs)]);
  for (const start of starts) if (start.status === 'fulfilled') nodes.push(start.value);
  const failed = starts.find((start) => start.status === 'rejected');
  if (failed) throw failed.reason;

  const vpn = await measureJoins(lab, nodes);
  const pairs: PlainPair[] = [];
  for (const [index, hosts] of hostPairs.entries()) {
    progress(`plain tinc: starting ${PLAIN_SETTINGS[index]!.label}`);
    pairs.push(await startPlainPair(lab, workDir, index, hosts));
  }

  progress(`memory: idle for ${IDLE_MS / 1000} s`);
  const idleBusy = await machineBusyDuring(IDLE_MS);
  const memory = {
    server: await tincdRssMb(await tincdPid(vpn.server)),
    member: await tincdRssMb(await tincdPid(vpn.members[0]!)),
    plainChosen: await tincdRssMb(pairs[0]!.tincd[0]!.pid),
    plainDefault: await tincdRssMb(pairs[1]!.tincd[0]!.pid),
  };

  const [m1, m2] = vpn.members as [LabNode, LabNode];
  const throughput = await measureThroughput(lab, [
    { label: 'raw veth (community addresses)', client: m1.host, server: m2.host, address: m2.host.address },
    { label: 'Cloudy overlay (two joined members)', client: m1.host, server: m2.host, address: vpn.memberOverlay[1]! },
    ...pairs.map((pair) => ({ label: `plain tincd: ${pair.setting.label}`, client: pair.client, server: pair.server, address: pair.serverOverlay })),
  ]);

  const figures: VpnFigures = { vpn, pairs, throughput, memory, idleBusy };
  console.log(`\nCloudy VPN bench — ${new Date().toISOString()}, node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), ${((performance.now() - started) / 1000).toFixed(0)} s`);
  console.log('Ratios are against baselines measured in this run; the join goal is from the overlay network issue.\n');
  console.log([joinSection(figures), throughputSection(figures), memorySection(figures)].map(formatSection).join('\n\n'));
  console.log(`\nSummary: ${summaryLine(figures)}`);
}

await runBench(main);
