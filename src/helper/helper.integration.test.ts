// The real helper as root on a temp root dir: what it refuses, what it audits, and that it never runs a shell.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { makeRootDir, repoDir } from '../../test/support/cloudy-node.ts';
import { HelperClient, HelperError } from '../daemon/helper-client.ts';
import { MAX_REQUEST_BYTES } from '../shared/helper-protocol.ts';
import { nodeLayout } from '../shared/node-layout.ts';

const root = makeRootDir();
const layout = nodeLayout(root);
const spawnLog = path.join(root, 'spawn-log.jsonl');
let helperProcess: ChildProcess;
let client: HelperClient;

before(async () => {
  helperProcess = spawn(process.execPath, ['--import', 'tsx', '--import', './test/support/spawn-recorder.ts', 'src/helper/main.ts', '--root', root], {
    cwd: repoDir,
    env: { ...process.env, CLOUDY_SPAWN_LOG: spawnLog },
    stdio: 'inherit',
  });
  const deadline = Date.now() + 20_000;
  while (!existsSync(layout.helperSocket)) {
    assert.ok(Date.now() < deadline, 'the helper socket appears');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  client = new HelperClient(layout.helperSocket);
});

after(async () => {
  client?.close();
  helperProcess?.kill('SIGTERM');
  await new Promise((resolve) => helperProcess.once('exit', resolve));
  rmSync(root, { recursive: true, force: true });
});

const auditLines = () => readFileSync(layout.auditLogFile, 'utf8').trim().split('\n');

async function rejection(action: string, args: Record<string, unknown>): Promise<HelperError> {
  const error = await client.call(action, args).then(
    () => assert.fail(`${action} should have been refused`),
    (failure: unknown) => failure,
  );
  assert.ok(error instanceof HelperError);
  return error;
}

test('the socket belongs to root, group cloudy, mode 0660', async () => {
  const { statSync } = await import('node:fs');
  const stat = statSync(layout.helperSocket);
  assert.equal(stat.uid, 0);
  assert.equal(stat.mode & 0o777, 0o660);
  assert.notEqual(stat.gid, 0);
});

test('an unknown action is refused and audited', async () => {
  const error = await rejection('system.runAnything', { command: 'id' });
  assert.equal(error.code, 'unknown_action');
  assert.match(error.message, /unknown action "system.runAnything"/);
  assert.match(auditLines().at(-1)!, /» system\.runAnything\(\{"command":"\*\*\*\*"\}\) rejected/);
});

test('an extra argument is refused before the action runs', async () => {
  const error = await rejection('node.writeSetupCode', { code: 'ABCD-EFGH-JKLM', path: '/etc/shadow' });
  assert.equal(error.code, 'invalid_arguments');
  assert.match(error.message, /\/path: Unexpected property/);
  assert.equal(existsSync(layout.setupCodeFile), false, 'nothing was written');
});

test('a mistyped argument is refused before the action runs', async () => {
  const error = await rejection('node.ensureTlsCertificate', { hostname: 42 });
  assert.equal(error.code, 'invalid_arguments');
  assert.match(error.message, /\/hostname/);
  assert.equal(existsSync(layout.tlsCertFile), false, 'no certificate was made');
});

test('a path outside the declared ones is refused', async () => {
  const escape = await rejection('syncthing.ensureFolder', { folderPath: '/srv/cloudy/syncthing/../../../etc/evil' });
  assert.equal(escape.code, 'invalid_arguments');
  assert.equal(existsSync(path.join(root, 'etc/evil')), false);
  const malformedModule = await rejection('packages.install', { module: '../etc' });
  assert.equal(malformedModule.code, 'invalid_arguments', 'module names follow the id pattern');
  const undeclaredModule = await rejection('packages.install', { module: 'openssh-server' });
  assert.equal(undeclaredModule.code, 'not_declared', 'only packages of shipped manifests');
  const daemonConfigEscape = await rejection('daemons.start', {
    module: 'syncthing',
    daemon: 'syncthing',
    config: { deviceName: 'n', listenPort: 22000, guiPort: 8384, sharedFolderPath: '/etc', localDiscovery: true, globalDiscovery: false, relays: false, maxSendKiBps: 0 },
    secrets: {},
  });
  assert.equal(daemonConfigEscape.code, 'invalid_arguments');
});

test('an oversized request is refused unread and the connection closed', async () => {
  const socket = net.connect(layout.helperSocket);
  await new Promise((resolve) => socket.once('connect', resolve));
  let answer = '';
  socket.on('data', (chunk) => (answer += chunk));
  const closed = new Promise((resolve) => socket.once('close', resolve));
  socket.write(JSON.stringify({ id: 7, action: 'node.writeSetupCode', args: { code: 'A'.repeat(MAX_REQUEST_BYTES * 2) } }));
  await closed;
  const message = JSON.parse(answer.trim().split('\n')[0]!);
  assert.equal(message.ok, false);
  assert.equal(message.error.code, 'too_large');
  assert.equal(existsSync(layout.setupCodeFile), false);
  assert.match(auditLines().at(-1)!, /rejected .*request too large/);
});

test('a valid call runs, and its secret argument is redacted in the audit log', async () => {
  await client.call('node.writeSetupCode', { code: 'ABCD-EFGH-JKLM' });
  assert.equal(readFileSync(layout.setupCodeFile, 'utf8').trim(), 'ABCD-EFGH-JKLM');
  const line = auditLines().at(-1)!;
  assert.match(line, /» node\.writeSetupCode\(\{"code":"\*\*\*\*"\}\) ok/);
  assert.doesNotMatch(readFileSync(layout.auditLogFile, 'utf8'), /ABCD-EFGH-JKLM/);
  assert.equal((await import('node:fs')).statSync(layout.setupCodeFile).mode & 0o777, 0o600);
});

test('no code path the helper ran spawned a shell', async () => {
  await client.call('node.ensureTlsCertificate', { hostname: 'node-one' });
  await client.call('packages.status', { module: 'syncthing' });
  const records = readFileSync(spawnLog, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { api: string; program: string; shell: unknown });
  const programs = new Set(records.map((entry) => path.basename(String(entry.program))));
  assert.ok(programs.has('openssl') && programs.has('dpkg-query') && programs.has('getent'), `recorded: ${[...programs].join(', ')}`);
  for (const entry of records) {
    assert.equal(entry.shell, false, `${entry.program} spawned with a shell`);
    assert.ok(!['sh', 'bash', 'dash', 'zsh'].includes(path.basename(String(entry.program))), `${entry.program} is a shell`);
    assert.ok(!['exec', 'execSync'].includes(entry.api), `${entry.api} always uses a shell`);
  }
});
