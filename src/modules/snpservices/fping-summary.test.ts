// fping's -C summary as Debian's fping 5.1 printed it here (stderr of `fping -C 5 -q -p 100 -t 200 …`), and lines to skip.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { parseFpingSummary } from './fping-summary.ts';

// Captured from fping 5.1: a loopback host, a LAN host, an address nothing answers, and a name that does not resolve.
const REAL_OUTPUT = [
  '127.0.0.1    : 0.062 0.062 0.067 0.069 0.059',
  '192.0.2.2    : 0.051 0.058 0.173 0.066 0.062',
  '10.255.255.1 : - - - - -',
  'nonexistent.invalid: Name or service not known',
  '',
].join('\n');

test('each host’s probes sent, answers received and average time', () => {
  const summaries = parseFpingSummary(REAL_OUTPUT);
  assert.deepEqual([...summaries.keys()], ['127.0.0.1', '192.0.2.2', '10.255.255.1']);
  assert.equal(summaries.get('127.0.0.1')!.sent, 5);
  assert.equal(summaries.get('127.0.0.1')!.received, 5);
  assert.ok(Math.abs(summaries.get('127.0.0.1')!.averageMs! - 0.0638) < 1e-9);
  assert.deepEqual(summaries.get('10.255.255.1'), { sent: 5, received: 0, averageMs: null });
});

test('lost probes count as sent, not in the average', () => {
  const summary = parseFpingSummary('10.0.0.1 : 0.10 0.12 - 0.11 0.10\n').get('10.0.0.1');
  assert.equal(summary!.sent, 5);
  assert.equal(summary!.received, 4);
  assert.ok(Math.abs(summary!.averageMs! - 0.1075) < 1e-9);
});

test('per-probe lines (fping without -q), ICMP errors and garbage are skipped', () => {
  const text = [
    '127.0.0.1 : [0], 64 bytes, 0.049 ms (0.049 avg, 0% loss)',
    'ICMP Host Unreachable from 10.0.0.254 for ICMP Echo sent to 10.0.0.9',
    '10.0.0.2 : 0.1 abc 0.2',
    '10.0.0.3 : 1e3 0.2',
    '10.0.0.4 : ',
    `${'x'.repeat(300)} : 0.1`,
    `10.0.0.5 : ${'0.1 '.repeat(2000)}`,
    '10.0.0.6 : 0.2 -\r',
  ].join('\n');
  assert.deepEqual([...parseFpingSummary(text)], [['10.0.0.6', { sent: 2, received: 1, averageMs: 0.2 }]]);
});

test('a long line of digits is rejected in linear time', () => {
  const started = process.hrtime.bigint();
  parseFpingSummary(`10.0.0.1 : ${'1'.repeat(100_000)}x`);
  assert.ok(process.hrtime.bigint() - started < 100_000_000n, 'well under 100 ms');
});
