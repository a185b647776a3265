// Small measuring tools for the discovery bench: percentiles, goal verdicts, process timing, RSS, polling.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

import { median, ms } from './report-table.ts';

export { sleep };

export const progress = (message: string) => console.error(`bench: ${message}`);

/** Nearest-rank percentile: p95 of 10 samples is the largest, of 20 the 19th. */
export function percentile(values: number[], share: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(share * sorted.length) - 1))]!;
}

export interface Spread {
  median: number;
  p95: number;
  max: number;
  count: number;
}

export function spread(values: number[]): Spread {
  return { median: median(values), p95: percentile(values, 0.95), max: Math.max(...values), count: values.length };
}

/** "met (12 ms ≤ 20 ms)" or "not met: 74 ms is 3.7× the 20 ms goal". */
export function verdict(value: number, goalMs: number): string {
  return value <= goalMs ? `met (${ms(value)} ≤ ${ms(goalMs)})` : `not met: ${ms(value)} is ${(value / goalMs).toFixed(2)}× the ${ms(goalMs)} goal (+${ms(value - goalMs)})`;
}

export function rssMb(pid: number | null | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kilobytes = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
  if (!kilobytes) throw new Error(`/proc/${pid}/status has no VmRSS line`);
  return Number(kilobytes) / 1024;
}

/** User + system CPU seconds a process has used so far (fields 14 and 15 of /proc/PID/stat, in clock ticks of 1/100 s). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Wall time of one process from spawn to exit, its stdout drained (as a pipe into jq would); throws unless it exits 0. */
export function timeProcess(argv: string[], options: { cwd?: string } = {}): Promise<{ ms: number; stdoutBytes: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(argv[0]!, argv.slice(1), { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdoutBytes = 0;
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdoutBytes += chunk.length));
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk).slice(-4000)));
    child.once('error', reject);
    child.once('close', (code) => {
      const elapsed = performance.now() - started;
      if (code === 0) resolve({ ms: elapsed, stdoutBytes });
      else reject(new Error(`${argv.join(' ')} exited with ${code}: ${stderr}`));
    });
  });
}

/** Runs `measure` `count` times in a row and returns the milliseconds each took. */
export async function repeat(count: number, measure: () => Promise<number>): Promise<number[]> {
  const samples: number[] = [];
  for (let run = 0; run < count; run++) samples.push(await measure());
  return samples;
}

/** Times one async call in milliseconds. */
export async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}

/** Calls `check` every `intervalMs` (plus its own duration) until it returns a value; undefined after the timeout. */
export async function pollUntil<T>(check: () => Promise<T | undefined>, intervalMs: number, timeoutMs: number): Promise<T | undefined> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (performance.now() > deadline) return undefined;
    await sleep(intervalMs);
  }
}
