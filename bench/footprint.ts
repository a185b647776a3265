// `npm run bench:footprint`: the node's idle memory per process and its cold start, from the production build against
// the same node under the TypeScript loader, measured in the same run; and the size of what the build ships (the
// .deb and the rootfs template too, when `npm run deb` / `npm run template` made them).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { repoDir } from '../test/support/cloudy-node.ts';
import { onCleanup, runBench } from './bench-cleanup.ts';
import { formatSection, mb, median, ms, ratio, type Section } from './report-table.ts';
import { makeBaselineCert, startIdleNode, startTimedBaselineServer, startTimedBaselineServerViaNpx, startTimedCloudyNode } from './timed-start.ts';

const COLD_STARTS = 3;
const IDLE_MS = 8_000;
const GOAL_TOTAL_MB = 120;

const progress = (message: string) => console.error(`bench: ${message}`);

function rssMb(pid: number | null | undefined): number {
  const kilobytes = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  if (!kilobytes) throw new Error(`/proc/${pid}/status has no VmRSS line`);
  return Number(kilobytes) / 1024;
}

interface Figures {
  startMs: number[];
  /** the production build started as `npx --no-install cloudy start`, as the README's users and the distribution check do */
  npxStartMs: number[];
  /** bin/cloudy's keeper loop (a shell) */
  keeper: number;
  helper: number;
  cloudyd: number;
}

/** Cold starts on fresh roots (first start: certificate, database, setup code), then the last node idles and is measured. */
async function measure(built: boolean): Promise<Figures> {
  const startMs: number[] = [];
  let node: Awaited<ReturnType<typeof startTimedCloudyNode>> | undefined;
  for (let run = 1; run <= COLD_STARTS; run++) {
    progress(`${built ? 'build' : 'tsx'}: cold start ${run}/${COLD_STARTS}`);
    await node?.stop();
    node = await startTimedCloudyNode({ built });
    startMs.push(node.startMs);
  }
  await sleep(IDLE_MS);
  const { pid, helperPid, cloudydPid } = node!.state();
  const figures = { startMs, keeper: rssMb(pid), helper: rssMb(helperPid), cloudyd: rssMb(cloudydPid) };
  await node!.stop();
  const npxStartMs: number[] = [];
  for (let run = 1; built && run <= COLD_STARTS; run++) {
    progress(`build through npx: cold start ${run}/${COLD_STARTS}`);
    const viaNpx = await startTimedCloudyNode({ built, viaNpx: true });
    npxStartMs.push(viaNpx.startMs);
    await viaNpx.stop();
  }
  return { ...figures, npxStartMs };
}

/**
 * The floor under any cold start: a one-file HTTPS server answering a fixed JSON, started directly and as the bin of a
 * throwaway package through `npx --no-install` (what npm itself costs before the first line of Cloudy runs).
 */
async function measureFloors(): Promise<{ direct: number[]; viaNpx: number[] }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'cloudy-bench-floor-'));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  const tls = await makeBaselineCert(dir);
  const floors = { direct: [] as number[], viaNpx: [] as number[] };
  for (let run = 1; run <= COLD_STARTS; run++) {
    progress(`bare HTTPS server: start ${run}/${COLD_STARTS}, directly and through npx`);
    const direct = await startTimedBaselineServer(tls);
    floors.direct.push(direct.startMs);
    await direct.stop();
    const viaNpx = await startTimedBaselineServerViaNpx(tls, path.join(dir, 'package'));
    floors.viaNpx.push(viaNpx.startMs);
    await viaNpx.stop();
  }
  return floors;
}

/** Wall time of a command run from the checkout, best of three (the first may fill caches). */
function commandMs(argv: string[]): number {
  const times = [1, 2, 3].map(() => {
    const started = performance.now();
    spawnSync(argv[0]!, argv.slice(1), { cwd: repoDir, stdio: 'ignore' });
    return performance.now() - started;
  });
  return Math.min(...times);
}

/** The .deb and the template in the checkout, if they were built. */
function packages(): Array<[string, number]> {
  return readdirSync(repoDir)
    .filter((name) => /^cloudy_.*\.deb$|^cloudy-rootfs_.*\.tar\.zst$/.test(name) && existsSync(path.join(repoDir, name)))
    .map((name) => [name, statSync(path.join(repoDir, name)).size]);
}

function bytesUnder(dir: string, include: (name: string) => boolean): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((sum, entry) => {
    const full = path.join(dir, entry.name);
    return sum + (entry.isDirectory() ? bytesUnder(full, include) : include(entry.name) ? statSync(full).size : 0);
  }, 0);
}

const runs = (values: number[]) => values.map((value) => Math.round(value)).join(', ');

await runBench(async () => {
  const idle = startIdleNode();
  await sleep(1000);
  const bare = rssMb(idle.pid);
  idle.kill();
  const tsx = await measure(false);
  const built = await measure(true);
  const floors = await measureFloors();
  const total = (figures: Figures) => figures.keeper + figures.helper + figures.cloudyd;
  const npx = commandMs(['npx', '--no-install', 'cloudy', '--help']);
  const direct = commandMs(['bin/cloudy', '--help']);
  const sections: Section[] = [
    {
      title: `1. Idle RSS after ${IDLE_MS / 1000} s, per process (VmRSS)`,
      headers: ['process', 'production build', 'under tsx', 'build / tsx', 'bare node'],
      rows: [
        ['keeper loop (bin/cloudy, sh)', mb(built.keeper), mb(tsx.keeper), ratio(built.keeper, tsx.keeper), '—'],
        ['cloudy-helper', mb(built.helper), mb(tsx.helper), ratio(built.helper, tsx.helper), mb(bare)],
        ['cloudyd', mb(built.cloudyd), mb(tsx.cloudyd), ratio(built.cloudyd, tsx.cloudyd), mb(bare)],
        ['total', mb(total(built)), mb(total(tsx)), ratio(total(built), total(tsx)), mb(2 * bare)],
      ],
      notes: [`goal ≤ ${GOAL_TOTAL_MB} MB in total: ${total(built) <= GOAL_TOTAL_MB ? 'met' : 'not met'}; a bare node process ("node -e setInterval") is the floor of each`],
    },
    {
      title: `2. Cold start → first /api/health 200 (fresh root each time; ${COLD_STARTS} runs)`,
      headers: ['', 'median', 'runs', 'build / tsx'],
      rows: [
        ['production build (bin/cloudy start)', ms(median(built.startMs)), runs(built.startMs), ratio(median(built.startMs), median(tsx.startMs))],
        ['under tsx (bin/cloudy start)', ms(median(tsx.startMs)), runs(tsx.startMs), ''],
        ['production build (npx --no-install cloudy start)', ms(median(built.npxStartMs)), runs(built.npxStartMs), ratio(median(built.npxStartMs), median(tsx.startMs))],
        ['floor: one-file HTTPS server (node)', ms(median(floors.direct)), runs(floors.direct), ''],
        ['floor: the same server through npx --no-install', ms(median(floors.viaNpx)), runs(floors.viaNpx), ''],
      ],
      notes: [
        `goal ≤ 1000 ms: bin/cloudy start ${median(built.startMs) <= 1000 ? 'met' : 'not met'}, through npx ${median(built.npxStartMs) <= 1000 ? 'met' : 'not met'}`,
        `npm's own start-up: \`npx --no-install cloudy --help\` takes ${ms(npx)} against ${ms(direct)} for \`bin/cloudy --help\`; the floors show what is left for the helper and cloudyd (docs/decisions.md AP)`,
      ],
    },
    {
      title: '3. What the build ships',
      headers: ['', 'size'],
      rows: [
        ['dist/node JavaScript', mb(bytesUnder(path.join(repoDir, 'dist/node'), (name) => name.endsWith('.js')) / 1048576)],
        ['dist/node source maps', mb(bytesUnder(path.join(repoDir, 'dist/node'), (name) => name.endsWith('.map')) / 1048576)],
        ['dist/web (panel)', mb(bytesUnder(path.join(repoDir, 'dist/web'), () => true) / 1048576)],
        ...packages().map(([name, bytes]) => [name, mb(bytes / 1048576)]),
      ],
    },
  ];
  console.log(sections.map(formatSection).join('\n\n'));
});
