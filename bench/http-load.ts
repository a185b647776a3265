// Drives one URL with autocannon at a fixed concurrency and keeps the figures the report needs.
import { readFileSync } from 'node:fs';

import autocannon from 'autocannon';

const CONNECTIONS = 20;
const DURATION_S = 10;
const WARMUP_S = 2;
/** Linux reports process CPU time in clock ticks of 1/100 s (`getconf CLK_TCK`). */
const CLOCK_TICKS_PER_SECOND = 100;

export interface LoadFigures {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** The server's own CPU time per request: unlike requests/s, it does not depend on how fast the client is. */
  serverCpuMicrosPerRequest: number;
  /** Non-2xx replies, connection errors and timeouts: any of these makes the other figures suspect. */
  failures: number;
}

/** utime + stime of a process, from fields 14 and 15 of /proc/<pid>/stat (proc(5)). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

function percentile(sorted: Float64Array, fraction: number): number {
  return sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))]!;
}

/**
 * autocannon never verifies the server certificate (it connects with rejectUnauthorized: false), so self-signed is fine.
 * Its own latency percentiles are whole milliseconds, too coarse here, so the percentiles come from its 'response' events.
 * @param requestTarget what goes on the request line instead of url's path: an absolute URI makes `url` a proxy's
 *   (`GET http://origin/ HTTP/1.1`, RFC 9112 §3.2.2).
 */
export async function measureLoad(url: string, serverPid: number, headers: Record<string, string> = {}, requestTarget?: string): Promise<LoadFigures> {
  const latenciesMs: number[] = [];
  let cpuAtStart = 0;
  let cpuAtEnd = 0;
  const requests = requestTarget === undefined ? undefined : [{ path: requestTarget }];
  const run = autocannon({ url, connections: CONNECTIONS, duration: DURATION_S, headers, requests, warmup: { connections: CONNECTIONS, duration: WARMUP_S } });
  run.on('start', () => (cpuAtStart = cpuSeconds(serverPid)));
  run.on('response', (_client, statusCode, _bytes, responseTimeMs) => statusCode < 300 && latenciesMs.push(responseTimeMs));
  run.on('done', () => (cpuAtEnd = cpuSeconds(serverPid)));
  const result = await run;
  const sorted = Float64Array.from(latenciesMs).sort();
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    serverCpuMicrosPerRequest: ((cpuAtEnd - cpuAtStart) * 1e6) / Math.max(1, result.requests.total),
    failures: result.non2xx + result.errors + result.timeouts,
  };
}

export const loadShape = `${CONNECTIONS} connections, ${DURATION_S} s after ${WARMUP_S} s warm-up`;
