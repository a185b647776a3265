// The embedded supervisor with real processes: readiness, restart with backoff, SIGTERM then SIGKILL, logs.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';

import { EmbeddedSupervisor, type SupervisedDaemon } from './supervisor.ts';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'cloudy-supervisor-'));
const pidDir = path.join(scratch, 'pids');
const supervisor = new EmbeddedSupervisor(pidDir, 500);
after(async () => {
  await supervisor.stopAll();
  rmSync(scratch, { recursive: true, force: true });
});

const uid = process.getuid!();
const gid = process.getgid!();
const nodeDaemon = (id: string, script: string, extra: Partial<SupervisedDaemon> = {}): SupervisedDaemon => ({
  id,
  argv: [process.execPath, '-e', script],
  env: {},
  uid,
  gid,
  ...extra,
});
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const waitUntil = async (condition: () => boolean, what: string, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    assert.ok(Date.now() < deadline, what);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

test('a daemon counts as running once it listens, and its output is kept', async () => {
  const port = await new Promise<number>((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port: free } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(free));
    });
  });
  const script = `console.log('hello from daemon'); setTimeout(() => require('net').createServer().listen(${port}, '127.0.0.1'), 300)`;
  const status = await supervisor.start(nodeDaemon('test.listener', script, { readyWhenListening: { host: '127.0.0.1', port } }));
  assert.equal(status.state, 'running');
  assert.ok(status.pid && alive(status.pid));
  assert.ok(existsSync(path.join(pidDir, 'test.listener.json')), 'the PID is recorded for orphan reaping');
  await waitUntil(() => supervisor.logs('test.listener', 50).some((line) => line.text === 'hello from daemon'), 'stdout reaches the log');
  await supervisor.stop('test.listener');
  assert.equal(alive(status.pid), false);
  assert.equal(supervisor.status('test.listener').state, 'stopped');
  assert.deepEqual(readdirSync(pidDir), []);
});

test('a crashing daemon is restarted with growing delays', async () => {
  await supervisor.start(nodeDaemon('test.crasher', 'setTimeout(() => process.exit(3), 50)'));
  await waitUntil(() => supervisor.status('test.crasher').restarts >= 2, 'restarted twice', 15_000);
  const log = supervisor.logs('test.crasher', 100).map((line) => line.text);
  const delays = log.filter((text) => text.startsWith('restarting in')).map((text) => Number(/(\d+) ms/.exec(text)![1]));
  assert.ok(delays.length >= 2 && delays[1]! > delays[0]!, `backoff grows: ${delays.join(', ')}`);
  assert.ok(log.some((text) => text === 'exited (exit code 3)'));
  await supervisor.stop('test.crasher');
  const restarts = supervisor.status('test.crasher').restarts;
  await new Promise((resolve) => setTimeout(resolve, 1500));
  assert.equal(supervisor.status('test.crasher').restarts, restarts, 'no restart after stop');
});

test('a daemon that ignores SIGTERM gets SIGKILL after the grace period', async () => {
  const status = await supervisor.start(nodeDaemon('test.stubborn', "process.on('SIGTERM', () => console.log('ignoring TERM')); setInterval(() => {}, 1000)"));
  await new Promise((resolve) => setTimeout(resolve, 300));
  const started = Date.now();
  await supervisor.stop('test.stubborn');
  assert.ok(Date.now() - started >= 450, 'waited for the grace period');
  assert.equal(alive(status.pid!), false);
  assert.ok(supervisor.logs('test.stubborn', 10).some((line) => line.text === 'exited (signal SIGKILL)'));
});

test('the log keeps only the most recent lines', async () => {
  await supervisor.start(nodeDaemon('test.chatty', "for (let i = 0; i < 700; i++) console.log('line ' + i); setInterval(() => {}, 1000)"));
  await waitUntil(() => supervisor.logs('test.chatty', 1000).some((line) => line.text === 'line 699'), 'all lines read');
  const lines = supervisor.logs('test.chatty', 1000);
  assert.equal(lines.length, 500);
  assert.equal(lines.at(-1)!.text, 'line 699');
  await supervisor.stop('test.chatty');
});

test('a daemon that never listens is stopped and reported failed, not left half-started', async () => {
  const impatient = new EmbeddedSupervisor(path.join(scratch, 'impatient'), 500, 600);
  const status = await impatient.start(nodeDaemon('test.silent', 'setInterval(() => {}, 1000)', { readyWhenListening: { host: '127.0.0.1', port: 9 } }));
  assert.equal(status.state, 'failed');
  assert.equal(impatient.status('test.silent').pid, null);
  assert.ok(impatient.logs('test.silent', 10).some((line) => /not listening .* stopping it/.test(line.text)));
});

test('starting a daemon that waits out its backoff runs exactly one copy', async () => {
  await supervisor.start(nodeDaemon('test.flaky', 'setTimeout(() => process.exit(1), 100)'));
  await waitUntil(() => supervisor.status('test.flaky').state === 'backoff', 'in backoff');
  const restartsBefore = supervisor.status('test.flaky').restarts;
  await supervisor.start(nodeDaemon('test.flaky', "setInterval(() => {}, 1000) // test.flaky-marker"));
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const status = supervisor.status('test.flaky');
  assert.equal(status.state, 'running');
  assert.equal(status.restarts, restartsBefore, 'the pending restart did not fire');
  const copies = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry)).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('test.flaky-marker');
    } catch {
      return false;
    }
  });
  assert.deepEqual(copies.map(Number), [status.pid]);
  await supervisor.stop('test.flaky');
});
