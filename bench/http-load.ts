// Drives one URL with autocannon at a fixed concurrency and keeps the figures the report needs.
import autocannon from 'autocannon';

const CONNECTIONS = 20;
const DURATION_S = 10;
const WARMUP_S = 2;

export interface LoadFigures {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Non-2xx replies, connection errors and timeouts: any of these makes the other figures suspect. */
  failures: number;
}

/** autocannon never verifies the server certificate (it connects with rejectUnauthorized: false), so self-signed is fine. */
export async function measureLoad(url: string, headers: Record<string, string> = {}): Promise<LoadFigures> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION_S, headers, warmup: { connections: CONNECTIONS, duration: WARMUP_S } });
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    failures: result.non2xx + result.errors + result.timeouts,
  };
}

export const loadShape = `${CONNECTIONS} connections, ${DURATION_S} s after ${WARMUP_S} s warm-up`;
