// kill -9 of cloudyd in the middle of an install and of a config change: truthful state, no half-written file.
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import Database from 'better-sqlite3';

import { nodeLayout } from '../../src/shared/node-layout.ts';
import { freePort, nodeWithAdminForFile } from '../support/cloudy-node.ts';
import { dpkgInstalled, ensureUninstalled, isAlive, moduleState, runOperation } from '../support/module-lifecycle.ts';

const given = nodeWithAdminForFile();

/** kill -9 the current cloudyd and wait until the launcher has a new one answering. */
async function crashCloudyd(): Promise<void> {
  const victim = given.node.state().cloudydPid!;
  process.kill(victim, 'SIGKILL');
  const deadline = Date.now() + 60_000;
  while (given.node.state().cloudydPid === victim) {
    assert.ok(Date.now() < deadline, 'the launcher restarts cloudyd');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await given.node.waitHealthy();
}

function temporaryFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return temporaryFiles(full);
    return /\.tmp(-[0-9a-f]+)?$|\.tmp-\d+-\d+$/.test(entry.name) ? [full] : [];
  });
}

function assertConsistentFiles(): void {
  assert.deepEqual(temporaryFiles(given.node.root), [], 'no half-written file is left behind');
  const db = new Database(nodeLayout(given.node.root).databaseFile, { readonly: true, fileMustExist: true });
  try {
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
  } finally {
    db.close();
  }
}

async function waitFor(condition: () => Promise<boolean>, what: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    assert.ok(Date.now() < deadline, what);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

test('kill -9 during an install: the operation is reported failed and the module state stays truthful', async () => {
  await ensureUninstalled(given.session, 'syncthing');
  const accepted = await given.session.request('POST', '/api/modules/syncthing/install');
  assert.equal(accepted.status, 202);
  await waitFor(async () => (await given.session.request('GET', `/api/operations/${accepted.body.operationId}`)).body.state === 'running', 'the install starts');
  await new Promise((resolve) => setTimeout(resolve, 300));
  await crashCloudyd();

  const operation = (await given.session.request('GET', `/api/operations/${accepted.body.operationId}`)).body;
  assert.equal(operation.state, 'failed', 'the session survived the crash and the operation says what happened');
  assert.match(operation.error, /stopped while this operation was running/);
  // The helper finishes apt on its own; whatever the moment, Cloudy reports what dpkg says.
  await waitFor(async () => (await moduleState(given.session, 'syncthing')).state.installed === dpkgInstalled('syncthing') && dpkgInstalled('syncthing'), 'apt finishes and the state follows dpkg');
  assertConsistentFiles();

  // The module is usable afterwards: start redoes the idempotent setup the crash may have cut short.
  await given.session.request('PUT', '/api/modules/syncthing/config', { values: { listenPort: await freePort(), guiPort: await freePort() } });
  await runOperation(given.session, 'syncthing', 'start');
  assert.equal((await moduleState(given.session, 'syncthing')).state.running, true);
});

test('kill -9 during a config change: the saved config is whole and gets applied after the restart', async () => {
  const before = await moduleState(given.session, 'syncthing');
  assert.equal(before.state.running, true);
  const reply = await given.session.request('PUT', '/api/modules/syncthing/config', { values: { deviceName: 'after crash' } });
  assert.equal(reply.status, 200);
  await crashCloudyd();

  const detail = await moduleState(given.session, 'syncthing');
  assert.deepEqual({ ...detail.config, deviceName: 'x' }, { ...before.config, deviceName: 'x' }, 'no other setting changed');
  assert.ok(['after crash', before.config.deviceName].includes(detail.config.deviceName), 'the config is the old or the new one, never a mix');
  const configure = (await given.session.request('GET', '/api/operations')).body.find((operation: { kind: string }) => operation.kind === 'configure');
  assert.ok(['completed', 'failed'].includes(configure.state), `no operation is left pretending to run (${configure.state})`);
  // cloudyd restores enabled modules at start, which applies the saved config.
  await waitFor(async () => (await moduleState(given.session, 'syncthing')).state.configApplied, 'the saved config is applied after the restart');
  const deviceId = (await given.session.request('GET', '/apps/syncthing/rest/system/status')).body.myID;
  assert.equal((await given.session.request('GET', `/apps/syncthing/rest/config/devices/${deviceId}`)).body.name, 'after crash');
  assert.equal((await moduleState(given.session, 'syncthing')).state.running, true);
  assertConsistentFiles();
  assert.ok(statSync(nodeLayout(given.node.root).databaseFile).size > 0);
});

test('kill -9 of the helper: the daemons and the cloudyd it left are reaped and the running modules come back', async () => {
  const oldHelper = given.node.state().helperPid!;
  const oldDaemon = (await moduleState(given.session, 'syncthing')).state.daemons[0].pid;
  const oldCloudyd = given.node.state().cloudydPid!;
  process.kill(oldHelper, 'SIGKILL');
  await waitFor(async () => given.node.state().helperPid !== oldHelper, "bin/cloudy's keeper loop restarts the helper", 30_000);
  await waitFor(async () => !isAlive(oldCloudyd), 'the new helper stops the cloudyd the old one ran (it holds the ports) and starts its own', 30_000);
  await waitFor(async () => !isAlive(oldDaemon), 'the orphaned daemon is stopped by the new helper', 30_000);
  await waitFor(
    async () => {
      const detail = await moduleState(given.session, 'syncthing').catch(() => null);
      return detail?.state.running === true && detail.state.daemons[0].pid !== oldDaemon;
    },
    'the new cloudyd starts Syncthing again',
    60_000,
  );
  assertConsistentFiles();
  // The restored start may still be finishing its last step (applying the config): the stop waits its turn.
  await waitFor(async () => (await given.session.request('POST', '/api/modules/syncthing/stop')).status === 202, 'the stop is accepted', 30_000);
  await waitFor(async () => (await moduleState(given.session, 'syncthing')).state.running === false, 'Syncthing stopped', 60_000);
});
