// The installed fping's own -C summary goes through the parser: loopback answers every probe, an address nobody
// answers loses every probe (fping exits 1 when a host is unreachable).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

import { parseFpingSummary } from './fping-summary.ts';

test('real fping output: 127.0.0.1 answers 3 of 3, 10.255.255.1 none', () => {
  const run = spawnSync('fping', ['-C', '3', '-q', '-p', '100', '-t', '200', '127.0.0.1', '10.255.255.1'], { encoding: 'utf8', timeout: 20_000 });
  assert.notEqual(run.error?.message.includes('ENOENT'), true, 'fping is installed (apt-get install fping; scripts/install-test-deps.sh)');
  assert.equal(run.status, 1, `fping exits 1 when a host did not answer:\n${run.stderr}`);
  const summaries = parseFpingSummary(run.stderr);
  assert.equal(summaries.get('127.0.0.1')?.received, 3, run.stderr);
  assert.ok(summaries.get('127.0.0.1')!.averageMs! >= 0);
  assert.deepEqual(summaries.get('10.255.255.1'), { sent: 3, received: 0, averageMs: null }, run.stderr);
});
