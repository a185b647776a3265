// Section 2: publish on h1 → visible in h2's search over mDNS (and at all), against raw bonjour-service publish → browse.
import { repoDir } from '../test/support/cloudy-node.ts';
import { type BenchLab, findRecord, publishOn } from './discovery-lab.ts';
import { pollUntil, progress, repeat, sleep, timed } from './discovery-measure.ts';

export const MDNS_ROUNDS = 10;
export const POLL_MS = 20;
const ROUND_TIMEOUT_MS = 10_000;
/** Rounds more than a second apart: a node fetches one peer's list at most once a second (MIN_FETCH_INTERVAL_MS). */
const BETWEEN_ROUNDS_MS = 1_200;
const BASELINE_TYPE = 'benchbase';

export interface MdnsRound {
  /** Milliseconds from the publish request to h2's first search result holding it, from any backend. */
  anyMs: number | null;
  /** … to the first result whose sources include mdns. */
  mdnsMs: number | null;
  firstSources: string;
  /** When the publish request was answered (it waits for mDNS probing). */
  apiMs: number;
  /** The answer listed the new record (see publishOn). */
  listed: boolean;
}

export interface MdnsFigures {
  rounds: MdnsRound[];
  baselineMs: Array<number | null>;
  cliPublishMs: number[];
}

// Plain node scripts (bonjour-service, as in the lab report §4) printing wall-clock times as JSON lines; argv, never code.
const BROWSER = `
const { Bonjour } = require('bonjour-service');
const [address, type] = process.argv.slice(1);
const bonjour = new Bonjour({ interface: address, bind: '0.0.0.0' });
bonjour.find({ type }, (service) => console.log(JSON.stringify({ up: service.name, at: performance.timeOrigin + performance.now() })));
setTimeout(() => console.log(JSON.stringify({ ready: true })), 300);
`;
const PUBLISHER = `
const { Bonjour } = require('bonjour-service');
const [address, type, host, rounds, intervalMs, firstPort] = process.argv.slice(1);
const bonjour = new Bonjour({ interface: address, bind: '0.0.0.0' });
let round = 0;
const next = () => {
  const name = 'base-' + round;
  console.log(JSON.stringify({ published: name, at: performance.timeOrigin + performance.now() }));
  bonjour.publish({ name, type, port: Number(firstPort) + round, host });
  if (++round < Number(rounds)) setTimeout(next, Number(intervalMs));
};
setTimeout(next, 500);
`;

async function cloudyRound(bench: BenchLab, round: number): Promise<MdnsRound> {
  const [type, port] = [`mdnsr${round}`, 31_000 + round];
  const started = performance.now();
  let anyMs: number | null = null;
  let firstSources = '';
  const answered = publishOn(bench.s1, type, port, `mDNS round ${round}`);
  const mdnsAt = await pollUntil(async () => {
    const record = await findRecord(bench.s2, type, port, bench.h1.host.name);
    if (!record) return undefined;
    if (anyMs === null) [anyMs, firstSources] = [performance.now() - started, record.sources.join('+')];
    return record.sources.includes('mdns') ? performance.now() - started : undefined;
  }, POLL_MS, ROUND_TIMEOUT_MS);
  const { ms: apiMs, listed } = await answered;
  return { anyMs, mdnsMs: mdnsAt ?? null, firstSources, apiMs, listed };
}

/** JSON lines a lab process printed so far. */
function jsonLines(output: string): Array<Record<string, unknown>> {
  return output.split('\n').flatMap((line) => {
    try {
      return line.startsWith('{') ? [JSON.parse(line) as Record<string, unknown>] : [];
    } catch {
      return [];
    }
  });
}

/** bonjour-service on h1 publishes one new instance per round; bonjour-service on h2 browses the (known) type. */
async function baselineRounds(bench: BenchLab): Promise<Array<number | null>> {
  const { lab, h1, h2 } = bench;
  const node = (script: string, ...args: string[]) => [process.execPath, '-e', script, ...args];
  const browser = lab.spawn(h2.host, node(BROWSER, h2.host.address, BASELINE_TYPE), { cwd: repoDir });
  const browserReady = await pollUntil(async () => (jsonLines(browser.output()).some((line) => line.ready) ? true : undefined), 50, 10_000);
  if (!browserReady) throw new Error(`the bonjour browser on h2 did not start: ${browser.output()}`);
  const interval = 1_500;
  const publisher = lab.spawn(h1.host, node(PUBLISHER, h1.host.address, BASELINE_TYPE, 'bench-h1.local', String(MDNS_ROUNDS), String(interval), '33000'), { cwd: repoDir });
  await sleep(500 + MDNS_ROUNDS * interval + 3_000);
  const published = new Map(jsonLines(publisher.output()).filter((line) => line.published).map((line) => [line.published as string, line.at as number]));
  const seen = new Map<string, number>();
  for (const line of jsonLines(browser.output())) if (line.up && !seen.has(line.up as string)) seen.set(line.up as string, line.at as number);
  await Promise.all([publisher.stop(), browser.stop()]);
  return Array.from({ length: MDNS_ROUNDS }, (_, round) => {
    const [at, up] = [published.get(`base-${round}`), seen.get(`base-${round}`)];
    return at !== undefined && up !== undefined ? up - at : null;
  });
}

export async function measureMdns(bench: BenchLab): Promise<MdnsFigures> {
  const rounds: MdnsRound[] = [];
  for (let round = 0; round < MDNS_ROUNDS; round++) {
    progress(`mdns: round ${round + 1}/${MDNS_ROUNDS}`);
    rounds.push(await cloudyRound(bench, round));
    await sleep(BETWEEN_ROUNDS_MS);
  }
  progress('mdns: bonjour-service baseline');
  const baselineMs = await baselineRounds(bench);
  progress('mdns: `cloudy publish` on h1, spawn → exit');
  let extra = 0;
  const cliPublishMs = await repeat(3, async () => {
    extra += 1;
    const { ms, value } = await timed(() => bench.h1.run('--json', 'publish', `CLI timing ${extra}`, `clitime${extra}`, String(34_000 + extra)));
    if (value.code !== 0) throw new Error(`cloudy publish failed: ${value.stderr}`);
    return ms;
  });
  return { rounds, baselineMs, cliPublishMs };
}
