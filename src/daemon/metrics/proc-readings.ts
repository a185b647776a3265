// One reading of the node's figures from /proc and statfs: what /metrics exports as is and what the sampler stores.
// The parsers take the files' text, so the unit tests feed them real shapes without a machine to match.
import { readFile, statfs } from 'node:fs/promises';

/** /proc/stat counts in USER_HZ, 100 per second on every Linux Debian ships. */
const USER_HZ = 100;
export const CPU_MODES = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'] as const;
export type CpuMode = (typeof CPU_MODES)[number];

export interface InterfaceCounters {
  device: string;
  receiveBytes: number;
  transmitBytes: number;
}

export interface NodeReading {
  /** Unix milliseconds. */
  at: number;
  /** Seconds each mode has run on all CPUs together since boot. */
  cpuSeconds: Record<CpuMode, number>;
  load: [number, number, number];
  memory: { totalBytes: number; availableBytes: number };
  disk: { path: string; sizeBytes: number; availableBytes: number };
  network: InterfaceCounters[];
  bootTime: number;
  /** Each running module's daemons together, with their children. */
  modules: ModuleUsage[];
}

export interface ModuleUsage extends ProcessUsage {
  module: string;
}

/** A running module daemon's main PID. */
export interface DaemonProcess {
  module: string;
  pid: number;
}

export function parseCpuSeconds(procStat: string): Record<CpuMode, number> {
  const fields = /^cpu\s+(.+)$/m.exec(procStat)?.[1]?.trim().split(/\s+/).map(Number);
  if (!fields || fields.length < 4 || fields.some((value) => !Number.isFinite(value))) throw new Error('/proc/stat has no "cpu" line');
  return Object.fromEntries(CPU_MODES.map((mode, index) => [mode, (fields[index] ?? 0) / USER_HZ])) as Record<CpuMode, number>;
}

export function parseBootTime(procStat: string): number {
  const seconds = Number(/^btime\s+(\d+)$/m.exec(procStat)?.[1]);
  return Number.isFinite(seconds) ? seconds : 0;
}

export function parseLoad(procLoadavg: string): [number, number, number] {
  const [one, five, fifteen] = procLoadavg.trim().split(/\s+/).map(Number);
  if (![one, five, fifteen].every((value) => Number.isFinite(value))) throw new Error('/proc/loadavg is not three numbers');
  return [one!, five!, fifteen!];
}

export function parseMemory(procMeminfo: string): { totalBytes: number; availableBytes: number } {
  const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB$`, 'm').exec(procMeminfo)?.[1]);
  const total = kib('MemTotal');
  // MemAvailable is the kernel's own estimate (free + reclaimable cache); kernels before 3.14 lack it.
  const available = Number.isFinite(kib('MemAvailable')) ? kib('MemAvailable') : kib('MemFree');
  if (!Number.isFinite(total) || !Number.isFinite(available)) throw new Error('/proc/meminfo has no MemTotal/MemAvailable');
  return { totalBytes: total * 1024, availableBytes: available * 1024 };
}

/** Every interface but loopback, from /proc/net/dev ("  eth0: rxbytes rxpackets … txbytes …"). */
export function parseNetworkCounters(procNetDev: string): InterfaceCounters[] {
  const counters: InterfaceCounters[] = [];
  for (const line of procNetDev.split('\n').slice(2)) {
    const match = /^\s*([^:\s]+):\s*(.+)$/.exec(line);
    if (!match || match[1] === 'lo') continue;
    const fields = match[2]!.trim().split(/\s+/).map(Number);
    if (fields.length < 16 || fields.some((value) => !Number.isFinite(value))) continue;
    counters.push({ device: match[1]!, receiveBytes: fields[0]!, transmitBytes: fields[8]! });
  }
  return counters;
}

export async function readNodeFigures(dataDir: string, daemons: () => Promise<DaemonProcess[]> = async () => [], now = Date.now()): Promise<NodeReading> {
  const [stat, loadavg, meminfo, netDev, disk, modules] = await Promise.all([
    readFile('/proc/stat', 'utf8'),
    readFile('/proc/loadavg', 'utf8'),
    readFile('/proc/meminfo', 'utf8'),
    readFile('/proc/net/dev', 'utf8'),
    statfs(dataDir),
    daemons().then(readModuleUsage),
  ]);
  return {
    at: now,
    cpuSeconds: parseCpuSeconds(stat),
    load: parseLoad(loadavg),
    memory: parseMemory(meminfo),
    disk: { path: dataDir, sizeBytes: disk.blocks * disk.bsize, availableBytes: disk.bavail * disk.bsize },
    network: parseNetworkCounters(netDev),
    bootTime: parseBootTime(stat),
    modules,
  };
}

async function readModuleUsage(daemons: DaemonProcess[]): Promise<ModuleUsage[]> {
  const byModule = new Map<string, ModuleUsage>();
  for (const daemon of daemons) {
    const usage = await readProcessTreeUsage(daemon.pid);
    if (!usage) continue;
    const total = byModule.get(daemon.module) ?? { module: daemon.module, cpuSeconds: 0, residentBytes: 0 };
    total.cpuSeconds += usage.cpuSeconds;
    total.residentBytes += usage.residentBytes;
    byModule.set(daemon.module, total);
  }
  return [...byModule.values()];
}

/** Clock ticks of CPU (user + system) and resident bytes of a process and all its descendants. */
export interface ProcessUsage {
  cpuSeconds: number;
  residentBytes: number;
}

/** The fields after the command name of /proc/PID/stat (the name is in parentheses and may hold spaces). */
export function parseProcessStat(stat: string): { cpuSeconds: number; residentPages: number } {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 (utime) and 15 (stime), 24 (rss) of proc(5); counted from field 3 here.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const rss = Number(fields[21]);
  if (![utime, stime, rss].every(Number.isFinite)) throw new Error('not a /proc/PID/stat line');
  return { cpuSeconds: (utime + stime) / USER_HZ, residentPages: rss };
}

const PAGE_BYTES = 4096;

/** A daemon's usage with its children (Apache's and squid's workers); null when it is gone. */
export async function readProcessTreeUsage(pid: number): Promise<ProcessUsage | null> {
  const seen = new Set<number>();
  const pending = [pid];
  let cpuSeconds = 0;
  let residentBytes = 0;
  while (pending.length > 0 && seen.size < 512) {
    const current = pending.pop()!;
    if (seen.has(current)) continue;
    seen.add(current);
    const stat = await readFile(`/proc/${current}/stat`, 'utf8').catch(() => null);
    if (stat === null) {
      if (current === pid) return null;
      continue;
    }
    const usage = parseProcessStat(stat);
    cpuSeconds += usage.cpuSeconds;
    residentBytes += usage.residentPages * PAGE_BYTES;
    const children = await readFile(`/proc/${current}/task/${current}/children`, 'utf8').catch(() => '');
    for (const child of children.trim().split(/\s+/).filter(Boolean)) pending.push(Number(child));
  }
  return { cpuSeconds, residentBytes };
}
