// Unit tests of the node's monitoring: /proc parsers on real file shapes, rates between readings, the time-series
// store's minute points, hourly roll-up and keep times, and the Prometheus text.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';

import { HOUR, MetricStore, MINUTE, MINUTE_POINTS_KEPT_S } from './metric-store.ts';
import { moduleSeries } from './module-series.ts';
import { seriesValues } from './node-sampler.ts';
import { type NodeReading, parseCpuSeconds, parseLoad, parseMemory, parseNetworkCounters, parseProcessStat, readProcessTreeUsage } from './proc-readings.ts';
import { renderPrometheus } from './prometheus-text.ts';

const PROC_STAT = `cpu  4705 356 584 3699 23 23 0 0 0 0
cpu0 1393280 32966 572056 13343292 6130 0 17875 0 23933 0
intr 1462898
btime 1764230000
`;
const PROC_MEMINFO = `MemTotal:       24589232 kB
MemFree:        20123456 kB
MemAvailable:   22000000 kB
Buffers:          123456 kB
`;
const PROC_NET_DEV = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo: 1000 10 0 0 0 0 0 0 1000 10 0 0 0 0 0 0
  eth0: 5000 50 0 0 0 0 0 0 7000 70 0 0 0 0 0 0
cb1a2b@if3: 10 1 0 0 0 0 0 0 20 2 0 0 0 0 0 0
`;

const scratch = mkdtempSync(path.join(tmpdir(), 'cloudy-metrics-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function reading(at: number, overrides: Partial<NodeReading> = {}): NodeReading {
  return {
    at,
    cpuSeconds: { user: 10, nice: 0, system: 5, idle: 80, iowait: 5, irq: 0, softirq: 0, steal: 0 },
    load: [0.5, 0.4, 0.3],
    memory: { totalBytes: 1000, availableBytes: 250 },
    disk: { path: '/var/lib/cloudy', sizeBytes: 2000, availableBytes: 1500 },
    network: [{ device: 'eth0', receiveBytes: 1000, transmitBytes: 500 }],
    bootTime: 1,
    modules: [],
    ...overrides,
  };
}

test('the /proc parsers read the kernel’s shapes: seconds per CPU mode, load, memory, and every interface but lo', () => {
  assert.deepEqual(parseCpuSeconds(PROC_STAT), { user: 47.05, nice: 3.56, system: 5.84, idle: 36.99, iowait: 0.23, irq: 0.23, softirq: 0, steal: 0 });
  assert.deepEqual(parseLoad('0.52 0.58 0.59 1/389 12345\n'), [0.52, 0.58, 0.59]);
  assert.deepEqual(parseMemory(PROC_MEMINFO), { totalBytes: 24589232 * 1024, availableBytes: 22000000 * 1024 });
  assert.deepEqual(parseNetworkCounters(PROC_NET_DEV), [
    { device: 'eth0', receiveBytes: 5000, transmitBytes: 7000 },
    { device: 'cb1a2b@if3', receiveBytes: 10, transmitBytes: 20 },
  ]);
  assert.throws(() => parseCpuSeconds('intr 1\n'), /no "cpu" line/);
  assert.throws(() => parseMemory('Buffers: 1 kB\n'), /MemTotal/);
});

test('the first reading gives the gauges; the next one the CPU busy share and bytes per second', () => {
  const first = reading(0);
  assert.deepEqual(seriesValues(null, first), { load1: 0.5, memory: 75, disk: 25 });
  const second = reading(60_000, {
    // 30 s of CPU time passed, 12 of them idle or waiting: 60 % busy.
    cpuSeconds: { user: 25, nice: 0, system: 8, idle: 90, iowait: 7, irq: 0, softirq: 0, steal: 0 },
    network: [{ device: 'eth0', receiveBytes: 1000 + 6000, transmitBytes: 500 + 60 }],
  });
  const values = seriesValues(first, second);
  assert.equal(values.cpu, 60);
  assert.equal(values['net:eth0:rx'], 100);
  assert.equal(values['net:eth0:tx'], 1);
});

test('counters that went backwards (a reboot, a recreated interface) give no rate, never a negative one', () => {
  const values = seriesValues(reading(0), reading(60_000, { network: [{ device: 'eth0', receiveBytes: 10, transmitBytes: 600 }] }));
  assert.equal('net:eth0:rx' in values, false);
  assert.equal(values['net:eth0:tx'], 100 / 60);
});

test('a module’s daemons: CPU as a share of one core between readings, memory as resident bytes', () => {
  const before = reading(0, { modules: [{ module: 'webdav', cpuSeconds: 10, residentBytes: 5e6 }] });
  const after = reading(60_000, { modules: [{ module: 'webdav', cpuSeconds: 13, residentBytes: 6e6 }, { module: 'proxy3', cpuSeconds: 1, residentBytes: 9e6 }] });
  const values = seriesValues(before, after);
  assert.equal(values['module:webdav:cpu'], 5);
  assert.equal(values['module:webdav:memory'], 6e6);
  assert.equal(values['module:proxy3:memory'], 9e6);
  assert.equal('module:proxy3:cpu' in values, false, 'no rate without a previous reading of that module');
  const restarted = seriesValues(after, reading(120_000, { modules: [{ module: 'webdav', cpuSeconds: 0.5, residentBytes: 4e6 }] }));
  assert.equal('module:webdav:cpu' in restarted, false, 'a restarted daemon gives no negative rate');
});

test('a process’s usage comes from /proc/PID/stat, its children included; a gone process reads as null', async () => {
  const stat = '4242 (squid (worker) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 1 0 1000 100000000 2560 18446744073709551615';
  assert.deepEqual(parseProcessStat(stat), { cpuSeconds: 3, residentPages: 2560 });
  const own = await readProcessTreeUsage(process.pid);
  assert.ok(own && own.residentBytes > 0.5 * process.memoryUsage().rss, JSON.stringify(own));
  assert.equal(await readProcessTreeUsage(2 ** 22 + 1), null);
});

test('the store keeps minute points, averages whole hours and answers a range with the right resolution', () => {
  const store = new MetricStore(path.join(scratch, 'rollup.sqlite'));
  const start = 1_800_000_000 - (1_800_000_000 % HOUR);
  for (let minute = 0; minute < 120; minute++) store.record(start + minute * MINUTE + 7, { cpu: minute < 60 ? 10 : 30, load1: 1 });
  store.record(start + 2 * HOUR, { cpu: 50 });
  const recent = store.history(['cpu', 'missing'], start, start + 2 * HOUR);
  assert.equal(recent.step, MINUTE);
  assert.equal(recent.series.cpu!.length, 121);
  assert.deepEqual(recent.series.cpu![0], [start, 10], 'points are aligned to the minute');
  assert.deepEqual(recent.series.missing, []);
  const year = store.history(['cpu'], start + 2 * HOUR - 365 * 86_400, start + 2 * HOUR);
  assert.equal(year.step, HOUR);
  assert.deepEqual(year.series.cpu, [[start, 10], [start + HOUR, 30]]);
  assert.deepEqual(store.seriesNames(start + 2 * HOUR), ['cpu', 'load1']);
  store.close();
});

test('minute points older than 8 days go; their hourly averages stay', () => {
  const store = new MetricStore(path.join(scratch, 'prune.sqlite'));
  const old = 1_800_000_000 - (1_800_000_000 % HOUR);
  store.record(old, { cpu: 42 });
  const later = old + MINUTE_POINTS_KEPT_S + 2 * HOUR;
  store.record(later, { cpu: 1 });
  assert.deepEqual(store.history(['cpu'], old, old + 60).series.cpu, [], 'the minute point is gone');
  assert.deepEqual(store.history(['cpu'], later - 365 * 86_400, later).series.cpu![0], [old, 42], 'its hour stays');
  store.close();
});

test('the store survives a reopen: a restarted cloudyd rolls up from where it stopped', () => {
  const file = path.join(scratch, 'reopen.sqlite');
  const hour = 1_800_000_000 - (1_800_000_000 % HOUR);
  const first = new MetricStore(file);
  first.record(hour + 60, { load1: 2 });
  first.close();
  const second = new MetricStore(file);
  second.record(hour + HOUR + 60, { load1: 4 });
  assert.deepEqual(second.history(['load1'], hour - 365 * 86_400, hour + HOUR + 60).series.load1, [[hour, 2]]);
  second.close();
});

test('the Prometheus text names each sample once, with HELP and TYPE, and escapes label values', () => {
  const text = renderPrometheus(reading(0, { network: [{ device: 'eth0', receiveBytes: 1, transmitBytes: 2 }] }), { version: '0.1.0', node: 'a "quoted"\\node\nx' });
  assert.match(text, /^# HELP cloudy_info /m);
  assert.match(text, /^cloudy_info\{version="0\.1\.0",node="a \\"quoted\\"\\\\node\\nx"\} 1$/m);
  assert.match(text, /^# TYPE cloudy_node_cpu_seconds_total counter$/m);
  assert.match(text, /^cloudy_node_cpu_seconds_total\{mode="idle"\} 80$/m);
  assert.match(text, /^cloudy_node_network_receive_bytes_total\{device="eth0"\} 1$/m);
  assert.ok(text.endsWith('\n'));
  const names = text.split('\n').filter((line) => line.startsWith('# TYPE ')).map((line) => line.split(' ')[2]);
  assert.equal(new Set(names).size, names.length);
});

test('a module’s series are its own: stored apart from the node’s and another module’s, read back by their own names', () => {
  const store = new MetricStore(path.join(scratch, 'modules.sqlite'));
  const graphs = moduleSeries(store, 'snpservices');
  graphs.record({ cpu: 7 }, 1_700_000_000);
  moduleSeries(store, 'other').record({ cpu: 9 }, 1_700_000_000);
  store.record(1_700_000_000, { cpu: 1 });
  assert.deepEqual(graphs.history(['cpu'], 1_699_999_000, 1_700_001_000).series, { cpu: [[1_699_999_980, 7]] });
  assert.deepEqual(store.history(['cpu'], 1_699_999_000, 1_700_001_000).series.cpu, [[1_699_999_980, 1]]);
  assert.ok(store.seriesNames(1_700_000_000).includes('app:snpservices:cpu'));
  store.close();
});
