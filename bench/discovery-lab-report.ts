// Turns sections 2–4 (publish → visible over mDNS and Serf, idle memory) into tables with the issue's goals beside them.
import { verdict, spread } from './discovery-measure.ts';
import { IDLE_MS, type MemoryFigures } from './discovery-memory.ts';
import { MDNS_ROUNDS, type MdnsFigures, POLL_MS } from './discovery-mdns.ts';
import type { SearchFigures } from './discovery-search.ts';
import { SERF_ROUNDS, type SerfFigures } from './discovery-serf-cluster.ts';
import { mb, median, ms, ratio, type Section } from './report-table.ts';

const MDNS_GOAL_MS = 1_000;
const SERF_GOAL_MS = 2_000;

/** Label, median, p95, max, how many rounds saw it, ratio of medians to the baseline's. */
function latencyRow(label: string, samples: Array<number | null>, baseline?: Array<number | null>) {
  const seen = samples.filter((sample): sample is number => sample !== null);
  const base = baseline?.filter((sample): sample is number => sample !== null) ?? [];
  if (seen.length === 0) return [label, '-', '-', '-', `0/${samples.length}`, '-'];
  const { median: middle, p95, max } = spread(seen);
  return [label, ms(middle), ms(p95), ms(max), `${seen.length}/${samples.length}`, base.length > 0 ? ratio(middle, median(base)) : ''];
}

function goalLines(name: string, samples: Array<number | null>, goalMs: number): string[] {
  const seen = samples.filter((sample): sample is number => sample !== null);
  const missed = samples.length - seen.length;
  if (seen.length === 0) return [`goal: ${name} ≤ ${ms(goalMs)}: not met (never seen)`];
  const { median: middle, p95 } = spread(seen);
  return [`goal: ${name} ≤ ${ms(goalMs)} — median: ${verdict(middle, goalMs)}; p95: ${missed > 0 ? `not met (${missed} rounds never seen)` : verdict(p95, goalMs)}`];
}

export function mdnsSection(figures: MdnsFigures): Section {
  const mdns = figures.rounds.map((round) => round.mdnsMs);
  const first = new Map<string, number>();
  for (const round of figures.rounds) if (round.firstSources) first.set(round.firstSources, (first.get(round.firstSources) ?? 0) + 1);
  return {
    title: `2. Publish on h1 → visible in h2's search, two lab hosts on one bridge (${MDNS_ROUNDS} rounds, a new type and port each; h2's API polled every ${POLL_MS} ms)`,
    headers: ['', 'Median', 'p95', 'Max', 'Seen', 'vs baseline'],
    rows: [
      latencyRow('Cloudy: visible with mdns among its sources', mdns, figures.baselineMs),
      latencyRow('Cloudy: visible at all (any backend)', figures.rounds.map((round) => round.anyMs), figures.baselineMs),
      latencyRow('Cloudy: the publish request answered (h1)', figures.rounds.map((round) => round.apiMs)),
      latencyRow('baseline: bonjour-service publish on h1 → browser up on h2', figures.baselineMs),
      latencyRow('`cloudy publish` on h1 as a command (spawn → exit)', figures.cliPublishMs),
    ],
    notes: [
      ...goalLines('publish → visible over mDNS between two hosts', mdns, MDNS_GOAL_MS),
      `First seen on h2 through: ${[...first].map(([sources, rounds]) => `${sources} ×${rounds}`).join(', ')} (h2 also joined h1 over Serf, as on a real LAN).`,
      `Publish answers that did not list the new record yet (the request joined a health evaluation already under way): ${figures.rounds.filter((round) => !round.listed).length} of ${figures.rounds.length}.`,
      'Clock starts when the bench sends POST /api/discovery/publications to h1 (the request `cloudy publish` sends); running the command adds its own start-up (last row).',
      'The API answers after the mDNS probing (RFC 6762: 3 probes 250 ms apart) because publishing waits for both backends.',
      'Baseline: two plain node scripts with bonjour-service (the library the node embeds), browser already browsing the one type; probing included.',
      `p95 is nearest-rank: of ${MDNS_ROUNDS} rounds it is the slowest one.`,
    ],
  };
}

export function serfSection(figures: SerfFigures): Section {
  return {
    title: `3. Publish on h1 → visible in h2's search across a ${figures.agents}-agent Serf cluster, mDNS off on both nodes (${SERF_ROUNDS} rounds)`,
    headers: ['', 'Median', 'p95', 'Max', 'Seen', 'vs baseline'],
    rows: [
      latencyRow(`Cloudy: POST on h1 → in h2's search (polled every ${POLL_MS} ms)`, figures.cloudyMs, figures.baselineMs),
      latencyRow("Cloudy: POST on h1 → h1's new digest tag in h20's members (10 ms)", figures.tagMs, figures.baselineMs),
      latencyRow('Cloudy: the publish request answered (h1)', figures.apiMs),
      latencyRow("baseline: tag set on one plain agent → in another's members (10 ms)", figures.baselineMs),
      latencyRow('baseline: the tags request itself, until serf answers it', figures.tagRpcMs),
    ],
    notes: [
      ...goalLines(`publish → visible across a ${figures.agents}-agent Serf cluster, p95`, figures.cloudyMs, SERF_GOAL_MS),
      `Cluster: Cloudy nodes on h1 and h2 + ${figures.agents - 2} plain \`serf agent\`s in their own lab hosts, all joined through h1; all alive everywhere ${(figures.convergeMs / 1000).toFixed(1)} s after the agents started.`,
      `Rounds delivered with mdns among the sources: ${figures.viaMdns} (mDNS was switched off: \`cloudy discovery configure mdns=false\`).`,
      `Publish answers that did not list the new record yet (the request joined a health evaluation already under way): ${figures.unlisted} of ${figures.cloudyMs.length}.`,
      'Baseline: the RPC requests `serf tags -set` and `serf members` send, from the bench to two plain agents (h3 sets, h20 watches). Rounds alternate with Cloudy\'s.',
      "Cloudy's path: new tags (serf answers the tags request only once its gossip of them is done), then a user event, then h2 fetches",
      "h1's list over HTTPS (pinned certificate) and merges it into its cache; the baseline's last row shows how long the tags request blocks.",
    ],
  };
}

export function memorySection(memory: MemoryFigures, search: SearchFigures): Section {
  const large = search.phases[1]!;
  const row = (label: string, value: number, baseline: number) => [label, mb(value), mb(baseline), ratio(value, baseline)];
  return {
    title: `4. Idle RSS (VmRSS) after ${IDLE_MS / 1000} s idle, discovery on`,
    headers: ['', 'RSS', 'Baseline', 'Ratio'],
    rows: [
      row('cloudyd, lab node h1 (mDNS + Serf, 1 peer) vs bare node', memory.cloudyd, memory.bareNode),
      row("its serf agent (2 members) vs a plain serf agent, no peers", memory.serf, memory.plainSerf),
      row('its cloudy-helper (listed apart) vs bare node', memory.helper, memory.bareNode),
      row(`cloudyd, loopback node, ${large.records.toLocaleString('en-US')} records cached (§1) vs bare node`, large.cloudydRssMb, memory.bareNode),
      row(`its serf agent (${large.peers + 1} members) vs a plain serf agent, no peers`, large.serfRssMb, memory.plainSerf),
    ],
    notes: [
      "Baselines: `node -e 'setInterval(() => {}, 1000)'` and `serf agent` with no peers, both idle for the same 10 s.",
      `The issue sets no number for memory; for the record: cloudyd + serf agent = ${mb(memory.cloudyd + memory.serf)} on a lab node.`,
      'The §1 rows were read right after that section\'s measurements, not after 10 s idle.',
    ],
  };
}
