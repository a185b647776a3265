// On-demand reachability: one TCP connect to a discovered service's port, timed; the figure then ranks the record.
import net from 'node:net';

import type { ProbeResult } from '../../shared/discovery-contract.ts';
import { ApiError, notFound } from '../api-error.ts';
import { isStale, type RecordCache } from './record-cache.ts';

const PROBE_TIMEOUT_MS = 3000;
const MAX_CONCURRENT = 8;
/** A result this fresh is answered again instead of connecting: a click-happy user cannot make the node a scanner. */
const REUSE_MS = 5000;

export function timeTcpConnect(host: string, port: number, timeoutMs = PROBE_TIMEOUT_MS): Promise<number | null> {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const socket = net.connect({ host, port, timeout: timeoutMs });
    const finish = (ms: number | null) => {
      socket.destroy();
      resolve(ms);
    };
    socket.once('connect', () => finish(Number(process.hrtime.bigint() - started) / 1e6));
    socket.once('error', () => finish(null));
    socket.once('timeout', () => finish(null));
  });
}

export class ReachabilityProbe {
  private running = 0;
  private readonly recent = new Map<string, { at: number; result: ProbeResult }>();

  constructor(private readonly cache: RecordCache) {}

  async probe(key: string): Promise<ProbeResult> {
    const entry = this.cache.entry(key);
    if (!entry || isStale(entry)) throw notFound(`A live service ${key}`);
    const recent = this.recent.get(key);
    if (recent && Date.now() - recent.at < REUSE_MS) return recent.result;
    if (this.running >= MAX_CONCURRENT) throw new ApiError(429, 'busy', 'Several reachability probes are running already; try again in a moment.');
    this.running += 1;
    try {
      const ms = entry.record.port === 0 ? null : await timeTcpConnect(entry.record.address, entry.record.port);
      const result = { key, reachable: ms !== null, rttMs: ms === null ? null : Math.round(ms * 100) / 100 };
      this.cache.setProbe(key, ms === null ? null : { ms, source: 'probe' });
      this.recent.set(key, { at: Date.now(), result });
      if (this.recent.size > 1000) this.recent.delete(this.recent.keys().next().value!);
      return result;
    } finally {
      this.running -= 1;
    }
  }
}
