// Many real Net-SNMP agents for the SNMP bench: `snmpd` processes in one network namespace of their own (a fixed set
// of interfaces, whatever other labs do to the machine's), one address and a port each, reached from the machine over
// the lab's bridge; started and stopped by PID through the netns lab; their memory and CPU read from /proc.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { pollDevices, type SnmpTarget } from '../src/modules/snpservices/snmp-poller.ts';
import { createLab, type LabHost } from '../test/support/netns-lab.ts';
import { onCleanup } from './bench-cleanup.ts';

export const BENCH_COMMUNITY = 'cloudy-bench';
/** What a community router shows besides lo and eth0 (this kernel has no dummy links: bridges and a veth pair, up). */
const EXTRA_LINKS = [['br-lan', 'type', 'bridge'], ['wlan1', 'type', 'bridge'], ['eth1', 'type', 'veth', 'peer', 'name', 'wlan0']];

export interface SnmpAgents {
  targets: SnmpTarget[];
  pids: number[];
  startSeconds: number;
}

export async function startAgents(count: number, scratch: string, progress: (message: string) => void): Promise<SnmpAgents> {
  const lab = await createLab(1, { namePrefix: 'csnmp', reachableFromHost: true });
  onCleanup(() => lab.destroy());
  const host = lab.hosts[0] as LabHost;
  const prefix = host.address.slice(0, host.address.lastIndexOf('.'));
  const batch = path.join(scratch, 'ip.batch');
  writeFileSync(batch, [...EXTRA_LINKS.map((link) => `link add ${link.join(' ')}`), 'link set br-lan up', 'link set wlan1 up', 'link set eth1 up', 'link set wlan0 up'].join('\n') + '\n');
  const added = spawnSync('ip', ['-n', host.netns, '-batch', batch], { encoding: 'utf8' });
  if (added.status !== 0) throw new Error(`ip -batch failed: ${added.stderr}`);

  const config = path.join(scratch, 'snmpd.conf');
  writeFileSync(config, `rocommunity ${BENCH_COMMUNITY} ${prefix}.0/24\nsysName bench-agent\nsysLocation cloudy snmp bench\n`);
  const started = performance.now();
  const targets: SnmpTarget[] = [];
  const pids: number[] = [];
  for (let index = 0; index < count; index++) {
    // One address for all: every snmpd rereads its address table now and then, and with 250 addresses on eth0 that
    // alone kept 500 idle agents at about 7 s of CPU per second.
    const address = host.address;
    const port = 16100 + index;
    const dir = path.join(scratch, `agent-${index}`);
    mkdirSync(dir);
    // -f: foreground, so the PID is the agent's; -Ln: no logging; -C: only our config. MIBS empty: no MIB files read.
    const agent = lab.spawn(host, ['snmpd', '-f', '-Ln', '-C', '-c', config, '-p', path.join(dir, 'snmpd.pid'), `udp:${address}:${port}`], {
      env: { ...process.env, SNMP_PERSISTENT_DIR: dir, MIBS: '' },
    });
    pids.push(agent.pid);
    targets.push({ key: `agent-${index}`, address, port, community: BENCH_COMMUNITY, version: '2c' });
    if (index % 100 === 99) progress(`${index + 1} snmpd started`);
  }
  for (const deadline = Date.now() + 120_000; ; await sleep(500)) {
    const readings = await pollDevices(targets, { concurrency: 32, timeoutMs: 1000, retries: 0 });
    const silent = readings.filter((reading) => !reading.answered).length;
    if (silent === 0) break;
    if (Date.now() > deadline) throw new Error(`${silent} of ${count} snmpd did not answer within 120 s`);
  }
  return { targets, pids, startSeconds: (performance.now() - started) / 1000 };
}
/** Resident and proportional (shared pages split) memory of the agents, in MB. */
export function agentMemory(pids: number[]): { rssMb: number; pssMb: number } {
  let rss = 0;
  let pss = 0;
  for (const pid of pids) {
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    rss += Number(/^Rss:\s+(\d+) kB$/m.exec(rollup)?.[1] ?? 0);
    pss += Number(/^Pss:\s+(\d+) kB$/m.exec(rollup)?.[1] ?? 0);
  }
  return { rssMb: rss / 1024, pssMb: pss / 1024 };
}

/** CPU the agents have used so far, in ms (utime + stime of /proc/PID/stat, in clock ticks of 10 ms). */
export function agentCpuMs(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks * 10;
}
