// A real node: first-run setup, sessions, the census of every API route (401 / 403), login throttling.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { repoDir, startCloudyNode, type StartedNode } from '../support/cloudy-node.ts';
import { PanelSession, rawRequest } from '../support/panel-session.ts';

let node: StartedNode;
const PASSWORD = 'correct horse battery';

before(async () => {
  node = await startCloudyNode();
});
after(async () => {
  await node?.stop();
});

const STATE_CHANGING = new Set(['post', 'put', 'patch', 'delete']);

/** Every documented route with its placeholders filled, from the node's own OpenAPI document. */
async function documentedRoutes(): Promise<Array<{ method: string; path: string; access: string }>> {
  const { status, body } = await rawRequest(node.baseUrl, 'GET', '/api/openapi.json');
  assert.equal(status, 200);
  const routes: Array<{ method: string; path: string; access: string }> = [];
  for (const [template, operations] of Object.entries(body.paths as Record<string, Record<string, { 'x-access'?: string }>>)) {
    const path = template.replace('{username}', 'nobody').replace('{id}', template.startsWith('/api/operations') ? '00000000-0000-0000-0000-000000000000' : 'syncthing').replace('{*}', 'index.html');
    for (const [method, operation] of Object.entries(operations)) routes.push({ method, path, access: operation['x-access'] ?? 'user' });
  }
  return routes;
}

test('health is public and reports that setup is needed', async () => {
  const { status, body } = await rawRequest(node.baseUrl, 'GET', '/api/health');
  assert.equal(status, 200);
  assert.equal(body.status, 'ok');
  assert.equal(body.setupRequired, true);
});

test('plain HTTP redirects to HTTPS', async () => {
  const response = await fetch(`${node.httpUrl}/some/page?x=1`, { redirect: 'manual' });
  assert.equal(response.status, 308);
  assert.equal(response.headers.get('location'), `${node.baseUrl}/some/page?x=1`);
});

test('setup needs the code from the console; then the admin exists and setup is closed', async () => {
  const session = new PanelSession(node.baseUrl);
  const wrong = await session.setup('AAAA-BBBB-CCCC');
  assert.equal(wrong.status, 400);
  assert.ok((wrong.body as any).fields.setupCode);
  const weak = await session.request('POST', '/api/setup', { setupCode: node.setupCode(), username: 'admin', password: 'short' });
  assert.equal(weak.status, 400);
  assert.ok(weak.body.fields.password, 'a too-short password is reported on its field');

  const ok = await session.setup(node.setupCode(), 'admin', PASSWORD);
  assert.equal(ok.status, 200);
  const cookie = ([] as string[]).concat(ok.headers['set-cookie'] ?? []).join(';');
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /Secure/);
  assert.match(cookie, /SameSite=Strict/);
  assert.equal(ok.body.role, 'admin');

  const again = await new PanelSession(node.baseUrl).request('POST', '/api/setup', { setupCode: 'AAAA-BBBB-CCCC', username: 'eve', password: PASSWORD });
  assert.equal(again.status, 409);
  assert.equal((await rawRequest(node.baseUrl, 'GET', '/api/health')).body.setupRequired, false);
});

test('census: every non-public route answers 401 without a session and 403 on a state change without the CSRF token', async () => {
  const routes = await documentedRoutes();
  const guarded = routes.filter((route) => route.access !== 'public');
  assert.ok(guarded.length >= 15, `expected the whole API to be documented, got ${guarded.length} guarded routes`);
  assert.ok(routes.some((route) => route.path.startsWith('/apps/')), 'the module web UI proxy is documented too');

  for (const route of guarded) {
    const reply = await rawRequest(node.baseUrl, route.method.toUpperCase(), route.path, STATE_CHANGING.has(route.method) ? { body: {} } : {});
    assert.equal(reply.status, 401, `${route.method} ${route.path} without a session`);
  }

  const session = new PanelSession(node.baseUrl);
  assert.equal((await session.login('admin', PASSWORD)).status, 200);
  const csrfToken = session.csrfToken;
  session.csrfToken = '';
  for (const route of guarded.filter((candidate) => STATE_CHANGING.has(candidate.method))) {
    const reply = await session.request(route.method.toUpperCase(), route.path, {});
    assert.equal(reply.status, 403, `${route.method} ${route.path} without the CSRF token`);
    const forged = await session.request(route.method.toUpperCase(), route.path, {}, { 'x-csrf-token': 'forged' });
    assert.equal(forged.status, 403, `${route.method} ${route.path} with a wrong CSRF token`);
  }
  session.csrfToken = csrfToken;
  assert.equal((await session.request('PUT', '/api/account/language', { language: 'ca' })).status, 204);
});

test('logout ends the session; the password can be changed', async () => {
  const session = new PanelSession(node.baseUrl);
  await session.login('admin', PASSWORD);
  const wrongCurrent = await session.request('PUT', '/api/account/password', { currentPassword: 'nope', newPassword: 'another long password' });
  assert.equal(wrongCurrent.status, 400);
  assert.ok(wrongCurrent.body.fields.currentPassword);
  assert.equal((await session.request('PUT', '/api/account/password', { currentPassword: PASSWORD, newPassword: 'another long password' })).status, 204);
  assert.equal((await session.request('GET', '/api/session')).status, 401, 'changing the password ends existing sessions');

  const fresh = new PanelSession(node.baseUrl);
  assert.equal((await fresh.login('admin', 'another long password')).status, 200);
  assert.equal((await fresh.request('DELETE', '/api/session')).status, 204);
  assert.equal((await fresh.request('GET', '/api/session')).status, 401);
  assert.equal((await fresh.login('admin', 'another long password')).status, 200);
  assert.equal((await fresh.request('PUT', '/api/account/password', { currentPassword: 'another long password', newPassword: PASSWORD })).status, 204);
});

test('administrators manage accounts; a user role can look but not change the node', async () => {
  const admin = new PanelSession(node.baseUrl);
  await admin.login('admin', PASSWORD);
  const created = await admin.request('POST', '/api/users', { username: 'member', password: 'member password', role: 'user' });
  assert.equal(created.status, 201);
  assert.equal((await admin.request('POST', '/api/users', { username: 'member', password: 'member password', role: 'user' })).status, 409);
  const badName = await admin.request('POST', '/api/users', { username: '../root', password: 'member password', role: 'user' });
  assert.equal(badName.status, 400);
  assert.ok(badName.body.fields.username);

  const member = new PanelSession(node.baseUrl);
  assert.equal((await member.login('member', 'member password')).body.role, 'user');
  assert.equal((await member.request('GET', '/api/modules')).status, 200);
  assert.equal((await member.request('POST', '/api/modules/syncthing/install')).status, 403);
  assert.equal((await member.request('PUT', '/api/node/hostname', { hostname: 'taken' })).status, 403);
  assert.equal((await member.request('GET', '/api/users')).status, 403);
  assert.equal((await member.request('PUT', '/api/account/language', { language: 'es' })).status, 204, 'everyone sets their own language');

  assert.equal((await admin.request('DELETE', '/api/users/admin')).status, 409, 'the last administrator stays');
  assert.equal((await admin.request('DELETE', '/api/users/member')).status, 204);
  assert.equal((await member.request('GET', '/api/session')).status, 401, 'a removed account loses its sessions');
  assert.deepEqual((await admin.request('GET', '/api/users')).body.map((user: { username: string }) => user.username), ['admin']);
});

test('the hostname set in the panel is written under the node root and shown on the dashboard', async () => {
  const admin = new PanelSession(node.baseUrl);
  await admin.login('admin', PASSWORD);
  assert.equal((await admin.request('PUT', '/api/node/hostname', { hostname: 'guifi-node-7' })).status, 204);
  assert.equal(readFileSync(path.join(node.root, 'etc/hostname'), 'utf8'), 'guifi-node-7\n');
  assert.equal((await admin.request('GET', '/api/node')).body.hostname, 'guifi-node-7');
});

test('a second node on the same root dir refuses to start', () => {
  const second = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/cloudy.ts', 'start', '--root', node.root, '--https-port', '1', '--http-port', '2'], { cwd: repoDir, encoding: 'utf8', timeout: 30_000 });
  assert.equal(second.status, 1);
  assert.match(second.stderr, /already runs under/);
});

test('login is throttled after repeated failures', async () => {
  const session = new PanelSession(node.baseUrl);
  const statuses: number[] = [];
  for (let attempt = 0; attempt < 7; attempt++) statuses.push((await session.login('admin', `wrong-${attempt}`)).status);
  assert.deepEqual(statuses.slice(0, 5), [401, 401, 401, 401, 401]);
  assert.equal(statuses[5], 429);
  assert.equal((await session.login('admin', PASSWORD)).status, 429, 'even the right password waits');
});
