// Once a minute: read the node's figures, turn the counters into rates against the previous reading, store the points.
import type { MetricStore } from './metric-store.ts';
import type { NodeReading } from './proc-readings.ts';

export const SAMPLE_INTERVAL_MS = 60_000;
const DEVICE_PATTERN = /^[A-Za-z0-9_.@-]{1,15}$/;

/**
 * The values of one minute: CPU busy %, load, memory and disk used %, bytes per second per interface, and each running
 * module's CPU (% of one core) and resident memory (bytes). Counters
 * that went backwards (a reboot, an interface recreated) give no rate rather than a negative one.
 */
export function seriesValues(previous: NodeReading | null, current: NodeReading): Record<string, number> {
  const values: Record<string, number> = {
    load1: current.load[0],
    memory: percent(current.memory.totalBytes - current.memory.availableBytes, current.memory.totalBytes),
    disk: percent(current.disk.sizeBytes - current.disk.availableBytes, current.disk.sizeBytes),
  };
  for (const module of current.modules) values[`module:${module.module}:memory`] = module.residentBytes;
  if (!previous) return values;
  const seconds = (current.at - previous.at) / 1000;
  if (seconds <= 0) return values;
  const total = (reading: NodeReading) => Object.values(reading.cpuSeconds).reduce((sum, value) => sum + value, 0);
  const idle = (reading: NodeReading) => reading.cpuSeconds.idle + reading.cpuSeconds.iowait;
  const elapsed = total(current) - total(previous);
  if (elapsed > 0) values.cpu = percent(elapsed - (idle(current) - idle(previous)), elapsed);
  for (const module of current.modules) {
    const before = previous.modules.find((candidate) => candidate.module === module.module);
    // Share of one core; a restarted daemon's counters start again and give no figure this minute.
    const used = before ? module.cpuSeconds - before.cpuSeconds : -1;
    if (used >= 0) values[`module:${module.module}:cpu`] = (100 * used) / seconds;
  }
  for (const device of current.network) {
    const before = previous.network.find((candidate) => candidate.device === device.device);
    if (!before || !DEVICE_PATTERN.test(device.device)) continue;
    const rx = device.receiveBytes - before.receiveBytes;
    const tx = device.transmitBytes - before.transmitBytes;
    if (rx >= 0) values[`net:${device.device}:rx`] = rx / seconds;
    if (tx >= 0) values[`net:${device.device}:tx`] = tx / seconds;
  }
  return values;
}

function percent(part: number, whole: number): number {
  return whole > 0 ? Math.min(100, Math.max(0, (100 * part) / whole)) : 0;
}

export class NodeSampler {
  private previous: NodeReading | null = null;
  private timer: NodeJS.Timeout | null = null;
  private soonTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: MetricStore,
    private readonly read: () => Promise<NodeReading>,
    private readonly log: (line: string) => void,
  ) {}

  /** The first reading now (it only has the gauges); a point every interval after. */
  start(intervalMs = SAMPLE_INTERVAL_MS): void {
    void this.sample();
    this.timer = setInterval(() => void this.sample(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.soonTimer) clearTimeout(this.soonTimer);
    this.timer = null;
  }

  /** A module started or stopped: its graph gets a point within seconds, not at the next minute (several calls, one sample). */
  soon(delayMs = 3000): void {
    if (this.soonTimer || !this.timer) return;
    this.soonTimer = setTimeout(() => {
      this.soonTimer = null;
      void this.sample();
    }, delayMs);
    this.soonTimer.unref();
  }

  async sample(): Promise<void> {
    try {
      const current = await this.read();
      this.store.record(Math.floor(current.at / 1000), seriesValues(this.previous, current));
      this.previous = current;
    } catch (error) {
      this.log(`metrics: no sample this minute: ${(error as Error).message}`);
    }
  }
}
