// `npm run bench:snmp`: one polling round of 500 real snmpd agents (in a network namespace of their own, see
// snmp-agents.ts) by the snpservices poller (net-snmp, in-process), at several concurrencies, against Net-SNMP's own
// snmpbulkget spawned per agent with the same parallelism, measured in the same run. Both send each agent the same
// single GETBULK (sysUpTime, sysName and the seven IF-MIB columns, enough repetitions for every interface), so the
// difference is the client: a JS poller in one process against a C tool per device, the way a shell-script poller
// would call it. Needs Debian's snmpd and snmp (apt-get install snmpd snmp).
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { pollDevices, type SnmpTarget } from '../src/modules/snpservices/snmp-poller.ts';
import { onCleanup, runBench } from './bench-cleanup.ts';
import { agentCpuMs, agentMemory, BENCH_COMMUNITY, startAgents } from './snmp-agents.ts';
import { formatSection, mb, median, ms, ratio } from './report-table.ts';

const AGENTS = Number(process.env.SNMP_BENCH_AGENTS ?? 500);
const CONCURRENCIES = [16, 32, 64];
const ROUNDS = 3;
const OIDS = ['1.3.6.1.2.1.1.3', '1.3.6.1.2.1.1.5', '1.3.6.1.2.1.2.2.1.2', '1.3.6.1.2.1.2.2.1.8', '1.3.6.1.2.1.2.2.1.10', '1.3.6.1.2.1.2.2.1.16', '1.3.6.1.2.1.31.1.1.1.1', '1.3.6.1.2.1.31.1.1.1.6', '1.3.6.1.2.1.31.1.1.1.10'];

const progress = (message: string) => console.error(`bench: ${message}`);
const cpuMs = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1000;
const CLOCK_TICK_MS = 1000 / Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim() || 100);

/** CPU of this process's finished children so far (cutime + cstime of /proc/self/stat), in ms. */
function childrenCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) * CLOCK_TICK_MS;
}

interface Round {
  ms: number;
  cpuMs: number;
  agentCpuMs: number;
  answered: number;
}

async function measured(pids: number[], work: () => Promise<number>, withChildren: boolean): Promise<Round> {
  const agentsBefore = agentCpuMs(pids);
  const childrenBefore = childrenCpuMs();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const answered = await work();
  const elapsed = performance.now() - started;
  const cpu = cpuMs(process.cpuUsage(cpuBefore)) + (withChildren ? childrenCpuMs() - childrenBefore : 0);
  return { ms: elapsed, cpuMs: cpu, agentCpuMs: agentCpuMs(pids) - agentsBefore, answered };
}

/** snmpbulkget per agent, `concurrency` at a time; an agent answered when the tool exited 0 with every varbind. */
async function baselineRound(targets: SnmpTarget[], concurrency: number, repetitions: number, clientDir: string): Promise<number> {
  const expectedLines = 2 + (OIDS.length - 2) * repetitions;
  let next = 0;
  let answered = 0;
  const one = (target: SnmpTarget) =>
    new Promise<void>((resolve) => {
      const args = ['-v2c', '-c', BENCH_COMMUNITY, '-On', '-t', '2', '-r', '1', '-Cn2', `-Cr${repetitions}`, `${target.address}:${target.port}`, ...OIDS];
      const child = spawn('snmpbulkget', args, { env: { ...process.env, MIBS: '', SNMP_PERSISTENT_DIR: clientDir }, stdio: ['ignore', 'pipe', 'ignore'] });
      let output = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
      child.on('error', () => resolve());
      child.on('close', (code) => {
        if (code === 0 && output.trimEnd().split('\n').length >= expectedLines) answered++;
        resolve();
      });
    });
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < targets.length) await one(targets[next++]!);
    }),
  );
  return answered;
}

async function main(): Promise<void> {
  // Version flags: snmpd -v (its -V is "verbose" and starts a daemon), snmpbulkget -V.
  for (const [tool, flag, hint] of [['snmpd', '-v', 'snmpd'], ['snmpbulkget', '-V', 'snmp']] as const) {
    if (spawnSync(tool, [flag]).error) throw new Error(`${tool} is not installed: apt-get install ${hint}`);
  }
  const version = spawnSync('snmpbulkget', ['-V'], { encoding: 'utf8' }).stderr.trim();
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'cloudy-bench-snmp-'));
  onCleanup(() => rmSync(scratch, { recursive: true, force: true }));
  const clientDir = path.join(scratch, 'client');
  mkdirSync(clientDir);
  const load = os.loadavg().map((value) => value.toFixed(1)).join(' ');

  progress(`starting ${AGENTS} snmpd`);
  const agents = await startAgents(AGENTS, scratch, progress);
  const memory = agentMemory(agents.pids);
  const probe = await pollDevices(agents.targets.slice(0, 1), { timeoutMs: 2000 });
  const interfaces = probe[0]!.interfaces.length;
  // One more repetition than rows, so one GETBULK also sees each column end: the same single request for both clients.
  const repetitions = interfaces + 1;
  progress(`${AGENTS} agents answer (${agents.startSeconds.toFixed(1)} s), ${interfaces} interfaces each; one round each to warm up`);
  await pollDevices(agents.targets, { maxRepetitions: repetitions });
  await baselineRound(agents.targets, 32, repetitions, clientDir);
  // What the idle agents cost on their own: they share the 2 cores with the clients during every round.
  const idleBefore = agentCpuMs(agents.pids);
  await sleep(5000);
  const idleCpuPerSecond = (agentCpuMs(agents.pids) - idleBefore) / 5;

  const rows = [];
  for (const concurrency of CONCURRENCIES) {
    const poller: Round[] = [];
    const baseline: Round[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      poller.push(await measured(agents.pids, async () => (await pollDevices(agents.targets, { concurrency, maxRepetitions: repetitions })).filter((reading) => reading.answered && reading.interfaces.length === interfaces).length, false));
      baseline.push(await measured(agents.pids, () => baselineRound(agents.targets, concurrency, repetitions, clientDir), true));
      const [last, lastBaseline] = [poller.at(-1)!, baseline.at(-1)!];
      progress(`concurrency ${concurrency}, round ${round}: poller ${last.ms.toFixed(0)} ms (agents' CPU ${last.agentCpuMs} ms), snmpbulkget ${lastBaseline.ms.toFixed(0)} ms (agents' CPU ${lastBaseline.agentCpuMs} ms)`);
    }
    const incomplete = [...poller, ...baseline].find((result) => result.answered !== AGENTS);
    if (incomplete) throw new Error(`a round read ${incomplete.answered} of ${AGENTS} agents completely`);
    const [pollerMs, pollerCpu, baselineMs, baselineCpu] = [median(poller.map((r) => r.ms)), median(poller.map((r) => r.cpuMs)), median(baseline.map((r) => r.ms)), median(baseline.map((r) => r.cpuMs))];
    rows.push([concurrency, ms(pollerMs), `${ms(pollerCpu)} (${((pollerCpu * 1000) / AGENTS).toFixed(0)} µs/agent)`, ms(baselineMs), `${ms(baselineCpu)} (${((baselineCpu * 1000) / AGENTS).toFixed(0)} µs/agent)`, ratio(pollerMs, baselineMs), ratio(pollerCpu, baselineCpu)]);
  }

  console.log(`\nCloudy SNMP polling bench — ${new Date().toISOString()}, node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), load average at start ${load}`);
  console.log('The baseline was measured in this run, on the same machine; ratios are poller ÷ snmpbulkget.\n');
  console.log(
    formatSection({
      title: `One round of ${AGENTS} snmpd agents in a network namespace (Net-SNMP ${version.replace(/^NET-SNMP version:\s*/, '')}, v2c, ${interfaces} interfaces each, one GETBULK of ${OIDS.length} OIDs × ${repetitions}), median of ${ROUNDS} rounds`,
      headers: ['concurrency', 'poller: round', 'poller: CPU', 'snmpbulkget: round', 'snmpbulkget: CPU', 'round ratio', 'CPU ratio'],
      rows,
      notes: [
        'Poller CPU: process.cpuUsage() of this process. snmpbulkget CPU: its processes (cutime + cstime) plus this process spawning them.',
        `The agents themselves: ${mb(memory.rssMb)} resident in all (${mb(memory.rssMb / AGENTS)} each; ${mb(memory.pssMb)} with shared pages counted once), started in ${agents.startSeconds.toFixed(1)} s; idle, they use ${ms(idleCpuPerSecond)} of CPU per second, on the same cores as the clients (the round times include it).`,
      ],
    }),
  );
}

await runBench(main);
