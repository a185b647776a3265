// Turns section 1's figures (search through the API and the CLI) into tables with the issue's goals beside them.
import { CLI_RUNS } from './discovery-cli-timing.ts';
import { verdict } from './discovery-measure.ts';
import type { ApiFigure, SearchFigures, SearchPhase } from './discovery-search.ts';
import { kb, median, ms, ratio, type Section } from './report-table.ts';

const GOAL_MS = new Map([[200, 20], [10_000, 50]]);
const count = (value: number) => value.toLocaleString('en-US');

function apiRows(phase: SearchPhase) {
  return phase.api.map((figure) => [
    `${count(phase.records)} cached · ${figure.label}`,
    count(figure.records),
    kb(figure.bytes),
    ms(figure.cloudy.median),
    ms(figure.cloudy.p95),
    ms(figure.bare.median),
    ms(figure.bare.p95),
    ratio(figure.cloudy.median, figure.bare.median),
  ]);
}

export function searchApiSection(figures: SearchFigures): Section {
  const [small, large] = figures.phases as [SearchPhase, SearchPhase];
  const goals = figures.phases.map((phase) => {
    const goal = GOAL_MS.get(phase.records)!;
    const [asked, all, oneType] = phase.api as [ApiFigure, ApiFigure, ApiFigure];
    return [
      `goal: search over ${count(phase.records)} records ≤ ${goal} ms (API p95) — as \`cloudy search\` asks: ${verdict(asked.cloudy.p95, goal)}`,
      `    all ${count(all.records)} records: ${verdict(all.cloudy.p95, goal)}; one type (${count(oneType.records)} records): ${verdict(oneType.cloudy.p95, goal)}`,
    ];
  });
  return {
    title: `1a. Search through the node's HTTPS API: GET /api/discovery/services?… (session cookie, keep-alive; median and p95 of 50 after 5 warm-up)`,
    headers: ['', 'Records', 'Body', 'Median', 'p95', 'Bare median', 'Bare p95', 'Ratio'],
    rows: [...apiRows(small), ...apiRows(large)],
    notes: [
      ...goals.flat(),
      'Bare: a node:https server in its own process answering the very same bytes (TLS + HTTP + transfer + JSON.parse in the client); ratio = Cloudy median ÷ bare median.',
      `Cache filled by fake peers over Serf + HTTPS: ${count(small.records)} records from ${small.peers} peer visible ${(small.fillMs / 1000).toFixed(1)} s after its agent started; ` +
        `${count(large.records - small.records)} more from ${large.peers - small.peers} peers in ${(large.fillMs / 1000).toFixed(1)} s.`,
      `cloudyd RSS: ${figures.emptyCloudydRssMb.toFixed(1)} MB with an empty cache, ${small.cloudydRssMb.toFixed(1)} MB at 200 records, ${large.cloudydRssMb.toFixed(1)} MB at 10,000 (after the runs); ` +
        `its serf agent ${small.serfRssMb.toFixed(1)} MB with 1 peer, ${large.serfRssMb.toFixed(1)} MB with ${large.peers}.`,
    ],
  };
}

export function searchCliSection(figures: SearchFigures): Section {
  const [small] = figures.phases as [SearchPhase];
  const startUp = (label: string) => small.baselines[label]!;
  const nodeMs = median(startUp('node start'));
  const rows = figures.phases.flatMap((phase) => {
    const serfMs = median(phase.baselines['serf members']!);
    const row = (label: string, samples: number[]) => [`${count(phase.records)} cached · ${label}`, ms(median(samples)), samples.map((sample) => Math.round(sample)).join(', '), ratio(median(samples), nodeMs), ratio(median(samples), serfMs)];
    return [...phase.cli.map((entry) => row(entry.label, entry.samples)), row(`baseline: serf members (${phase.peers + 1} members, node's agent)`, phase.baselines['serf members']!)];
  });
  const startRow = (label: string, samples: number[]) => [label, ms(median(samples)), samples.map((sample) => Math.round(sample)).join(', '), ratio(median(samples), nodeMs), ''];
  const goals = figures.phases.map((phase) => {
    const shipped = phase.cli.find((entry) => entry.label === 'tsx: search --json')!;
    return `goal: \`cloudy search\` over ${count(phase.records)} records ≤ ${GOAL_MS.get(phase.records)} ms, CLI end to end as shipped: ${verdict(median(shipped.samples), GOAL_MS.get(phase.records)!)}`;
  });
  const [tsxMs, helpMs] = [median(startUp('tsx start')), median(startUp('cloudy --help'))];
  const modulesMs = helpMs - tsxMs;
  return {
    title: `1b. \`cloudy --root R search --json\` end to end (spawn → exit, stdout drained; ${CLI_RUNS} rounds, commands taking turns; all runs in ms)`,
    headers: ['', 'Median', 'Runs', 'vs node -e', 'vs serf members'],
    rows: [
      ...rows,
      startRow("baseline: node -e '' (bare Node start)", startUp('node start')),
      startRow("baseline: node --import tsx -e '' (Node + the tsx loader)", startUp('tsx start')),
      startRow('baseline: cloudy --help (tsx; loads the CLI, sends nothing)', startUp('cloudy --help')),
    ],
    notes: [
      ...goals,
      `Where the time goes: Node starts in ${ms(nodeMs)}; the tsx loader adds ${ms(tsxMs - nodeMs)}; the CLI's own modules ${modulesMs > 0 ? `add ${ms(modulesMs)}` : 'are within the noise'}; the rest is the request and printing.`,
      figures.bundled
        ? '"bundled": the same src/cli/cloudy.ts bundled by esbuild into one .mjs in the temp dir (not shipped; what a build step would give).'
        : 'esbuild was not found, so the bundled CLI was not measured.',
      '`cloudy search` asks for the API default limit (1,000 records); --limit 20000 prints all of them. Start-up baselines were timed in the 200-record phase.',
      `The ${figures.phases[1]!.peers} fake peers' serf agents used ${(figures.phases[1]!.peerCpuShare * 100).toFixed(0)} % of one core while the 10,000-record rows ran (a real node would not host them).`,
    ],
  };
}

export function searchProfileSection(figures: SearchFigures): Section {
  const large = figures.phases[1]!;
  const rows = figures.profile.map((row) => {
    const overHttps = large.api.find((figure) => figure.label === row.query)!;
    return [row.query, ms(row.search.median), ms(row.stringify.median), ms(row.fastify.median), ms(row.fastifyPlain.median), ms(overHttps.cloudy.median), ms(overHttps.bare.median)];
  });
  return {
    title: '1c. Where a search over 10,000 records spends its time (the same records in a RecordCache in the bench process; medians of 20)',
    headers: ['', 'RecordCache.search', 'JSON.stringify', 'Fastify inject', 'without resp. schema', 'cloudyd over HTTPS', 'Bare over HTTPS'],
    rows,
    notes: [
      'Fastify inject: a route with the real querystring and response schemas (search + fast-json-stringify + in-memory HTTP, no TLS or socket);',
      '"without resp. schema": the same route without its response schema, so Fastify serialises with JSON.stringify.',
      'cloudyd over HTTPS ≈ Fastify inject + what the bare server costs (TLS, transfer, client JSON.parse) + the session check.',
    ],
  };
}
