// `npm run bench:metrics`: the node's time-series store (SQLite, src/daemon/metrics/metric-store.ts) against rrdtool
// from Debian measured in the same run, on the same data: a week of one-minute points for 10 series. Figures: writing a
// minute (what the sampler does each minute), and reading a week of one series and of all 10 (what a panel graph asks).
// The baseline needs Debian's rrdtool (apt-get install rrdtool); without it only the SQLite figures print.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { HOUR, MetricStore, MINUTE } from '../src/daemon/metrics/metric-store.ts';
import { formatSection, kb, median, ms, ratio, type Section } from './report-table.ts';

const SERIES = Array.from({ length: 10 }, (_, index) => `s${index}`);
const WEEK_MINUTES = 7 * 24 * 60;
const QUERIES = 30;

const scratch = mkdtempSync(path.join(tmpdir(), 'cloudy-bench-metrics-'));
const elapsedMs = (started: bigint) => Number(process.hrtime.bigint() - started) / 1e6;
const p95 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length * 0.95)]!;

function timed(runs: number, work: () => void): number[] {
  return Array.from({ length: runs }, () => {
    const started = process.hrtime.bigint();
    work();
    return elapsedMs(started);
  });
}

try {
  const end = Math.floor(Date.now() / 1000 / HOUR) * HOUR;
  const start = end - WEEK_MINUTES * MINUTE;
  const value = (series: number, minute: number) => 50 + 40 * Math.sin((minute + series * 97) / 180);

  // SQLite: the week through record(), as the sampler writes it (roll-ups included).
  const file = path.join(scratch, 'metrics.sqlite');
  const store = new MetricStore(file);
  const writes: number[] = [];
  for (let minute = 0; minute < WEEK_MINUTES; minute++) {
    const values = Object.fromEntries(SERIES.map((name, index) => [name, value(index, minute)]));
    const started = process.hrtime.bigint();
    store.record(start + minute * MINUTE, values);
    if (minute % 100 === 0) writes.push(elapsedMs(started));
  }
  const sqliteOne = timed(QUERIES, () => store.history(['s0'], start, end));
  const sqliteAll = timed(QUERIES, () => store.history(SERIES, start, end));
  const points = store.history(['s0'], start, end).series.s0!.length;
  store.close();
  const sqliteBytes = statSync(file).size + (statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? 0);

  // rrdtool: the same retention (8 days of minutes, 400 days of hours), one file per series as rrdtool is used.
  const rrdAvailable = spawnSync('rrdtool', ['--version']).status === 0;
  const rows: Section['rows'] = [];
  let rrdBytes = 0;
  if (rrdAvailable) {
    const rrds = SERIES.map((name) => path.join(scratch, `${name}.rrd`));
    for (const rrd of rrds) {
      execFileSync('rrdtool', ['create', rrd, '--start', String(start - MINUTE), '--step', '60', 'DS:v:GAUGE:120:U:U', 'RRA:AVERAGE:0.5:1:11520', 'RRA:AVERAGE:0.5:60:9600']);
    }
    // Bulk-load the week (not timed as per-minute writes: one update per series per minute is timed below).
    rrds.forEach((rrd, index) => {
      for (let from = 0; from < WEEK_MINUTES - 1; from += 2000) {
        const batch = Array.from({ length: Math.min(2000, WEEK_MINUTES - 1 - from) }, (_, offset) => `${start + (from + offset) * MINUTE}:${value(index, from + offset)}`);
        execFileSync('rrdtool', ['update', rrd, ...batch]);
      }
    });
    const rrdWrites = timed(10, () => {
      for (const rrd of rrds) spawnSync('rrdtool', ['update', rrd, `N:${Math.random()}`]);
    });
    const fetch = (rrd: string) => execFileSync('rrdtool', ['fetch', rrd, 'AVERAGE', '-r', '60', '-s', String(start), '-e', String(end)], { maxBuffer: 16 * 1024 * 1024 });
    const rrdOne = timed(QUERIES, () => fetch(rrds[0]!));
    const rrdAll = timed(QUERIES, () => rrds.forEach(fetch));
    rrdBytes = rrds.reduce((sum, rrd) => sum + statSync(rrd).size, 0);
    rows.push(
      ['write one minute, 10 series (median)', ms(median(writes)), ms(median(rrdWrites)), ratio(median(writes), median(rrdWrites))],
      ['a week of 1 series (median / p95)', `${ms(median(sqliteOne))} / ${ms(p95(sqliteOne))}`, `${ms(median(rrdOne))} / ${ms(p95(rrdOne))}`, ratio(median(sqliteOne), median(rrdOne))],
      ['a week of 10 series (median / p95)', `${ms(median(sqliteAll))} / ${ms(p95(sqliteAll))}`, `${ms(median(rrdAll))} / ${ms(p95(rrdAll))}`, ratio(median(sqliteAll), median(rrdAll))],
      ['on disk, a week of 10 series', kb(sqliteBytes), kb(rrdBytes), ratio(sqliteBytes, rrdBytes)],
    );
  } else {
    rows.push(
      ['write one minute, 10 series (median)', ms(median(writes)), 'rrdtool not installed', ''],
      ['a week of 1 series (median / p95)', `${ms(median(sqliteOne))} / ${ms(p95(sqliteOne))}`, '', ''],
      ['a week of 10 series (median / p95)', `${ms(median(sqliteAll))} / ${ms(p95(sqliteAll))}`, '', ''],
      ['on disk, a week of 10 series', kb(sqliteBytes), '', ''],
    );
  }
  console.log(
    formatSection({
      title: `Time-series store: a week of one-minute points (${points} per series), ${QUERIES} queries each`,
      headers: ['measure', 'SQLite (Cloudy)', 'rrdtool (baseline)', 'ratio'],
      rows,
      notes: ['rrdtool times include spawning rrdtool (how a Node daemon without bindings uses it); SQLite runs in-process.'],
    }),
  );
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
