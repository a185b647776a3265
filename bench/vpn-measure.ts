// Measuring tools of the VPN bench: a ping loop inside a lab host, one iperf3 run, Gbit/s and percent formats.
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

import type { Lab, LabHost } from '../test/support/netns-lab.ts';

export { progress, rssMb } from './discovery-measure.ts';

const PING_TIMEOUT_S = '0.3';
const PING_SPACING_MS = 20;

/**
 * Pings `address` from `host` once at a time (0.3 s timeout, 20 ms apart, as the lab report did) until one answer
 * comes back; resolves with performance.now() at that answer. `stop` ends the loop early (resolves NaN).
 */
export async function firstPing(lab: Lab, host: LabHost, address: string, timeoutMs: number, stop?: AbortSignal): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const result = await lab.run(host, ['ping', '-n', '-q', '-c', '1', '-W', PING_TIMEOUT_S, address], { timeoutMs: 5000 });
    if (result.code === 0) return performance.now();
    if (stop?.aborted) return Number.NaN;
    if (performance.now() > deadline) throw new Error(`${host.name} got no answer from ${address} within ${timeoutMs} ms: ${result.stdout.trim().split('\n').pop()}`);
    await sleep(PING_SPACING_MS);
  }
}

/** One TCP iperf3 run from `client` to the iperf3 server on address:port; Gbit/s received. */
export async function iperfGbits(lab: Lab, client: LabHost, address: string, port: number, seconds: number): Promise<number> {
  const result = await lab.run(client, ['iperf3', '-c', address, '-p', String(port), '-t', String(seconds), '-J'], { timeoutMs: (seconds + 15) * 1000 });
  let report: { error?: string; end?: { sum_received?: { bits_per_second?: number } } } = {};
  try {
    report = JSON.parse(result.stdout);
  } catch {
    // reported below
  }
  const bits = report.end?.sum_received?.bits_per_second;
  if (result.code !== 0 || typeof bits !== 'number') throw new Error(`iperf3 ${client.name} → ${address}:${port} failed: ${report.error ?? result.stderr.trim()}`);
  return bits / 1e9;
}

/** Busy and total clock ticks of all CPUs together, from the first line of /proc/stat. */
function cpuTicks(): { busy: number; total: number } {
  const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = fields.map(Number) as number[];
  const busy = user! + nice! + system! + irq! + softirq! + steal!;
  return { busy, total: busy + idle! + iowait! };
}

/** Waits `ms` and returns how busy the machine's CPUs were meanwhile (0–1), whoever kept them busy. */
export async function machineBusyDuring(ms: number): Promise<number> {
  const before = cpuTicks();
  await sleep(ms);
  const after = cpuTicks();
  return after.total > before.total ? (after.busy - before.busy) / (after.total - before.total) : 0;
}

export const gbits = (value: number): string => `${value.toFixed(2)} Gbit/s`;
export const percent = (value: number, baseline: number): string => (baseline > 0 ? `${((100 * value) / baseline).toFixed(1)} %` : 'n/a');
export const seconds = (milliseconds: number): string => `${(milliseconds / 1000).toFixed(2)} s`;
