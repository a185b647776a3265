// `npm run bench:footprint`: the node's idle memory per process and its cold start, from the production build against
// the same node under the TypeScript loader, measured in the same run; and the size of what the build ships (the
// .deb and the rootfs template too, when `npm run deb` / `npm run template` made them).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { repoDir } from '../test/support/cloudy-node.ts';
import { runBench } from './bench-cleanup.ts';
import { formatSection, mb, median, ms, ratio, type Section } from './report-table.ts';
import { startIdleNode, startTimedCloudyNode } from './timed-start.ts';

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
  return figures;
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

await runBench(async () => {
  const idle = startIdleNode();
  await sleep(1000);
  const bare = rssMb(idle.pid);
  idle.kill();
  const tsx = await measure(false);
  const built = await measure(true);
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
        ['production build', ms(median(built.startMs)), built.startMs.map((value) => Math.round(value)).join(', '), ratio(median(built.startMs), median(tsx.startMs))],
        ['under tsx', ms(median(tsx.startMs)), tsx.startMs.map((value) => Math.round(value)).join(', '), ''],
      ],
      notes: [`measured from bin/cloudy start; started as \`npx cloudy start\`, npm adds its own start-up: \`npx --no-install cloudy --help\` takes ${ms(npx)} against ${ms(direct)} for \`bin/cloudy --help\``],
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
