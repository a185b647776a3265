// Runs Debian's dnsperf in a lab host and reads its figures: the query rate at full load (its summary), and per-query
// latencies at a fixed offered rate (its -v lines), from which the percentiles come (dnsperf prints none itself).
import type { Lab, LabHost } from '../test/support/netns-lab.ts';

export interface DnsperfTarget {
  lab: Lab;
  client: LabHost;
  server: string;
  port: number;
  queryFile: string;
}

export interface Throughput {
  queriesPerSecond: number;
  averageLatencyMs: number;
  lostPercent: number;
  /** Answers other than NOERROR, e.g. `NXDOMAIN 12`: a wrong query file or zone shows here. */
  otherCodes: string;
}

export interface Latency { p50Ms: number; p99Ms: number; answered: number }

/** EDNS0 (-e) as the stub resolvers and dig send it, so browse answers over 512 octets are not all truncated. */
function dnsperf(target: DnsperfTarget, extra: string[], timeoutMs: number): Promise<string> {
  const argv = ['dnsperf', '-s', target.server, '-p', String(target.port), '-d', target.queryFile, '-e', ...extra];
  return target.lab.run(target.client, argv, { timeoutMs }).then((result) => {
    if (result.code !== 0) throw new Error(`dnsperf failed (${result.code}): ${result.stderr}${result.stdout}`.trim());
    return result.stdout;
  });
}

const figure = (output: string, pattern: RegExp, what: string): number => {
  const match = pattern.exec(output);
  if (!match) throw new Error(`dnsperf printed no ${what}:\n${output}`);
  return Number(match[1]);
};

/** Full load: up to `outstanding` queries in flight for `seconds`. */
export async function measureThroughput(target: DnsperfTarget, seconds: number, outstanding = 100): Promise<Throughput> {
  const output = await dnsperf(target, ['-l', String(seconds), '-q', String(outstanding)], (seconds + 30) * 1000);
  const codes = /Response codes:\s+(.*)$/m.exec(output)?.[1] ?? '';
  return {
    queriesPerSecond: figure(output, /Queries per second:\s+([\d.]+)/, 'query rate'),
    averageLatencyMs: figure(output, /Average Latency \(s\):\s+([\d.]+)/, 'average latency') * 1000,
    lostPercent: figure(output, /Queries lost:\s+\d+ \(([\d.]+)%\)/, 'lost count'),
    otherCodes: codes.split(', ').filter((code) => !code.startsWith('NOERROR')).join(', '),
  };
}

/** A steady `rate` queries/s for `seconds`; every answer's latency comes from dnsperf's verbose lines. */
export async function measureLatency(target: DnsperfTarget, seconds: number, rate: number): Promise<Latency> {
  const output = await dnsperf(target, ['-l', String(seconds), '-Q', String(rate), '-v'], (seconds + 30) * 1000);
  // `> NOERROR node001.guifi.internal A 0.000263`: the last field is the latency in seconds.
  const latencies = [...output.matchAll(/^> \S+ .* ([\d.]+)$/gm)].map((match) => Number(match[1]) * 1000).sort((a, b) => a - b);
  if (latencies.length === 0) throw new Error(`dnsperf printed no answers:\n${output.slice(0, 2000)}`);
  const at = (fraction: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * fraction))]!;
  return { p50Ms: at(0.5), p99Ms: at(0.99), answered: latencies.length };
}
