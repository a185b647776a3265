// Syncthing through a real node: apt install with progress, config via REST, its web UI behind the panel's login.
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { freePort, startCloudyNode, type StartedNode } from '../../../test/support/cloudy-node.ts';
import { dpkgInstalled, ensureUninstalled, isAlive, moduleState, processUid, runOperation, systemAccount } from '../../../test/support/module-lifecycle.ts';
import { openEventStream, PanelSession, rawRequest } from '../../../test/support/panel-session.ts';

let node: StartedNode;
let session: PanelSession;
let listenPort: number;
let guiPort: number;

before(async () => {
  node = await startCloudyNode();
  session = new PanelSession(node.baseUrl);
  assert.equal((await session.setup(node.setupCode())).status, 200);
  [listenPort, guiPort] = [await freePort(), await freePort()];
  await ensureUninstalled(session, 'syncthing');
});
after(async () => {
  await node?.stop();
});

test('install runs apt and streams its own progress', async () => {
  const stream = openEventStream(session);
  await new Promise((resolve) => setTimeout(resolve, 200));
  const operation = await runOperation(session, 'syncthing', 'install');
  stream.close();
  assert.equal(dpkgInstalled('syncthing'), true);
  const progress = stream.events.filter((event) => event.type === 'operation' && event.data.id === operation.id).map((event) => event.data.progress);
  assert.ok(progress.some((value) => value > 0 && value < 100), `intermediate apt progress seen: ${progress.join(', ')}`);
  assert.ok(stream.events.some((event) => event.type === 'module' && event.data.module === 'syncthing' && event.data.state.installed));
  assert.equal((await moduleState(session, 'syncthing')).state.running, false);
});

test('settings saved while stopped wait for the start', async () => {
  const reply = await session.request('PUT', '/api/modules/syncthing/config', { values: { deviceName: 'lab node', listenPort, guiPort, maxSendKiBps: 100 } });
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  assert.equal(reply.body.config.deviceName, 'lab node');
  assert.equal(reply.body.state.configApplied, false);
});

test('start runs syncthing as its own user and applies the settings through its REST API', async () => {
  await runOperation(session, 'syncthing', 'start');
  const detail = await moduleState(session, 'syncthing');
  assert.equal(detail.state.running, true);
  assert.equal(detail.state.configApplied, true);
  const pid = detail.state.daemons[0].pid;
  assert.equal(processUid(pid), systemAccount('cloudy-syncthing').uid);

  const status = await session.request('GET', '/apps/syncthing/rest/system/status');
  assert.equal(status.status, 200);
  const deviceId = detail.details.find((line: { label: string }) => line.label === 'Device ID').value;
  assert.equal(status.body.myID, deviceId);
  const options = (await session.request('GET', '/apps/syncthing/rest/config/options')).body;
  assert.equal(options.maxSendKbps, 100);
  assert.equal(options.globalAnnounceEnabled, false);
  assert.equal(options.relaysEnabled, false);
  assert.deepEqual(options.listenAddresses, [`tcp://0.0.0.0:${listenPort}`]);
  const self = (await session.request('GET', `/apps/syncthing/rest/config/devices/${deviceId}`)).body;
  assert.equal(self.name, 'lab node');

  const folderPath = path.join(node.root, 'srv/cloudy/syncthing/shared');
  assert.equal(statSync(folderPath).uid, systemAccount('cloudy-syncthing').uid);
  assert.ok(detail.details.some((line: { value: string }) => line.value === folderPath), 'the shared folder is listed');
});

test("syncthing's own web UI is proxied behind the panel's login", async () => {
  const page = await session.request('GET', '/apps/syncthing/');
  assert.equal(page.status, 200);
  assert.match(String(page.body), /Syncthing/);
  assert.equal((await rawRequest(node.baseUrl, 'GET', '/apps/syncthing/')).status, 401);
  assert.equal((await rawRequest(node.baseUrl, 'GET', '/apps/syncthing/rest/system/status')).status, 401);
});

test('a change while running is applied live', async () => {
  const reply = await session.request('PUT', '/api/modules/syncthing/config', { values: { deviceName: 'renamed node' } });
  assert.equal(reply.status, 200);
  const operations = (await session.request('GET', '/api/operations')).body;
  const configure = operations.find((operation: { kind: string }) => operation.kind === 'configure');
  assert.equal((await session.waitForOperation(configure.id)).state, 'completed');
  const deviceId = (await session.request('GET', '/apps/syncthing/rest/system/status')).body.myID;
  assert.equal((await session.request('GET', `/apps/syncthing/rest/config/devices/${deviceId}`)).body.name, 'renamed node');
  assert.equal((await moduleState(session, 'syncthing')).state.configApplied, true);
});

test('diagnostics pass and logs show the daemon', async () => {
  const diagnostics = (await session.request('GET', '/api/modules/syncthing/diagnostics')).body as Array<{ checkId: string; result: string }>;
  assert.ok(diagnostics.length >= 4);
  for (const check of diagnostics) assert.equal(check.result, 'passed', check.checkId);
  const logs = (await session.request('GET', '/api/modules/syncthing/logs')).body as Array<{ text: string }>;
  assert.ok(logs.some((line) => line.text.startsWith('started syncthing serve')));
});

test('stop ends the process; uninstall removes the package and keeps the settings', async () => {
  const pid = (await moduleState(session, 'syncthing')).state.daemons[0].pid;
  await runOperation(session, 'syncthing', 'stop');
  assert.equal(isAlive(pid), false);
  assert.equal((await moduleState(session, 'syncthing')).state.running, false);
  await runOperation(session, 'syncthing', 'uninstall');
  assert.equal(dpkgInstalled('syncthing'), false);
  const detail = await moduleState(session, 'syncthing');
  assert.equal(detail.state.installed, false);
  assert.equal(detail.config.deviceName, 'renamed node');
});
