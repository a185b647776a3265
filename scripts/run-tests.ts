// Runs every test tier with node's test runner: unit (*.test.ts), integration, lab, e2e and boot, one file at a time.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const TIERS = ['unit', 'integration', 'lab', 'e2e', 'boot'] as const;
type Tier = (typeof TIERS)[number];

function tierOf(file: string): Tier {
  const match = /\.(integration|lab|e2e|boot)\.test\.ts$/.exec(file);
  return (match?.[1] as Tier | undefined) ?? 'unit';
}

function findTests(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : findTests(full);
    return entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

const wanted = new Set(process.argv.slice(2).length > 0 ? process.argv.slice(2) : TIERS);
const files = ['src', 'test'].flatMap((dir) => findTests(dir)).filter((file) => wanted.has(tierOf(file)));
// Faster tiers first, so a broken unit test fails the run in seconds.
files.sort((a, b) => TIERS.indexOf(tierOf(a)) - TIERS.indexOf(tierOf(b)) || a.localeCompare(b));
console.log(`running ${files.length} test files (${[...wanted].join(', ')})`);

// One file at a time: integration tests share apt's lock and the machine's two cores.
// Spec output for people, TAP into a file for the closing count line.
const scratch = mkdtempSync(path.join(tmpdir(), 'cloudy-tests-'));
const tapFile = path.join(scratch, 'results.tap');
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=tap', `--test-reporter-destination=${tapFile}`, ...files],
  { stdio: 'inherit' },
);
const tap = readFileSync(tapFile, 'utf8');
rmSync(scratch, { recursive: true, force: true });
const count = (name: string) => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(tap)?.[1] ?? 0);
// A test cancelled because its suite's before-hook failed did not pass: it counts as failed.
console.log(`${count('pass')} passed, ${count('fail') + count('cancelled')} failed, ${count('skipped')} skipped`);
process.exit(result.status ?? 1);
