// A real node: first-run setup, sessions, the census of every API route (401 / 403, security headers), login throttling.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { after, before, test } from 'node:test';

import { cloudyStartArgv, repoDir, startCloudyNode, type StartedNode } from '../support/cloudy-node.ts';
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

/** Only the response headers: the event stream never ends, and no body matters here. */
function headersOf(method: string, path: string, cookie?: string): Promise<{ status: number; headers: IncomingHttpHeaders }> {
  const body = STATE_CHANGING.has(method.toLowerCase()) ? '{}' : undefined;
  return new Promise((resolve, reject) => {
    const request = https.request(
      `${node.baseUrl}${path}`,
      { method: method.toUpperCase(), rejectUnauthorized: false, headers: { ...(cookie ? { cookie } : {}), ...(body ? { 'content-type': 'application/json', 'content-length': String(body.length) } : {}) } },
      (response) => {
        resolve({ status: response.statusCode ?? 0, headers: response.headers });
        request.destroy();
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** Sends a line that is not HTTP and parses the answer's status and headers by hand: Node's client would refuse it. */
async function malformedRequestAnswer(url: string): Promise<{ status: number; headers: IncomingHttpHeaders }> {
  const { hostname, port, protocol } = new URL(url);
  const socket = protocol === 'https:' ? tls.connect({ host: hostname, port: Number(port), rejectUnauthorized: false }) : net.connect({ host: hostname, port: Number(port) });
  let text = '';
  socket.on('data', (chunk) => (text += chunk));
  // The server closes right after its answer, sometimes with a reset: what arrived before it is the answer.
  await new Promise((resolve) => {
    socket.once('close', resolve);
    socket.once('error', resolve);
    socket.end('NOT HTTP AT ALL\r\n\r\n');
  });
  const [statusLine = '', ...lines] = text.split('\r\n\r\n')[0]!.split('\r\n');
  const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
  return { status: Number(statusLine.split(' ')[1]), headers };
}

const ONE_YEAR_SECONDS = 365 * 24 * 3600;

/** The panel's strict policy everywhere; module UIs under /apps/ a looser one that still keeps other origins from framing them. */
function assertSecurityHeaders(headers: IncomingHttpHeaders, where: string, options: { moduleUi?: boolean; https?: boolean } = {}): void {
  const { moduleUi = false, https: overTls = true } = options;
  const policy = String(headers['content-security-policy'] ?? '');
  assert.match(policy, /object-src 'none'/, `${where}: CSP object-src`);
  assert.match(policy, /form-action 'self'/, `${where}: CSP form-action`);
  if (moduleUi) {
    assert.match(policy, /frame-ancestors 'self'/, `${where}: CSP frame-ancestors`);
  } else {
    assert.match(policy, /^default-src 'none'; script-src 'self'; style-src 'self';/, `${where}: CSP default and script sources`);
    assert.match(policy, /base-uri 'none'/, `${where}: CSP base-uri`);
    assert.match(policy, /frame-ancestors 'none'/, `${where}: CSP frame-ancestors`);
    assert.doesNotMatch(policy, /unsafe-|data:|\*/, `${where}: nothing inline, evaluated or from anywhere`);
  }
  assert.equal(headers['x-frame-options'], moduleUi ? 'SAMEORIGIN' : 'DENY', `${where}: X-Frame-Options`);
  assert.equal(headers['x-content-type-options'], 'nosniff', `${where}: X-Content-Type-Options`);
  assert.equal(headers['referrer-policy'], moduleUi ? 'same-origin' : 'no-referrer', `${where}: Referrer-Policy`);
  if (overTls) {
    const maxAge = Number(/^max-age=(\d+)$/.exec(String(headers['strict-transport-security']))?.[1] ?? 0);
    assert.ok(maxAge >= ONE_YEAR_SECONDS, `${where}: HSTS for at least a year, got ${headers['strict-transport-security']}`);
  } else {
    assert.equal(headers['strict-transport-security'], undefined, `${where}: no HSTS over plain HTTP (RFC 6797 section 7.2)`);
  }
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

test('census: every route, panel asset, redirect, 404 and module UI answer carries the security headers', async () => {
  const admin = new PanelSession(node.baseUrl);
  assert.equal((await admin.login('admin', PASSWORD)).status, 200);
  const index = String((await rawRequest(node.baseUrl, 'GET', '/')).body);
  const assets = [...index.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((match) => match[1]!);
  assert.ok(assets.some((asset) => asset.endsWith('.js')) && assets.some((asset) => asset.endsWith('.css')), `the panel's script and stylesheet: ${assets.join(', ')}`);
  const more = [
    ...['/', '/settings/users', ...assets, '/api/no-such-route', '/apps/syncthing', '/peer/v1/services', '/%zz'].map((path) => ({ method: 'get', path })),
    { method: 'post', path: '/no-such-route' },
    { method: 'put', path: '/api/no-such-route' },
  ];
  const answers = new Map<number, number>();
  for (const route of [...(await documentedRoutes()), ...more]) {
    // Without a session, and as the administrator (state changes then lack the CSRF token: 403, nothing changes).
    for (const cookie of [undefined, admin.cookie]) {
      const { status, headers } = await headersOf(route.method, route.path, cookie);
      answers.set(status, (answers.get(status) ?? 0) + 1);
      assertSecurityHeaders(headers, `${route.method} ${route.path} (${status}${cookie ? ', admin' : ''})`, { moduleUi: route.path.startsWith('/apps/') });
    }
  }
  for (const status of [200, 302, 400, 401, 403, 404]) assert.ok(answers.has(status), `the census saw a ${status} answer: ${JSON.stringify([...answers])}`);

  const redirect = await fetch(`${node.httpUrl}/some/page`, { redirect: 'manual' });
  assert.equal(redirect.status, 308);
  assertSecurityHeaders(Object.fromEntries(redirect.headers), 'the plain-HTTP redirect', { https: false });

  // A request the HTTP parser refuses never reaches a route: answered with the headers all the same.
  const malformed = await malformedRequestAnswer(node.baseUrl);
  assert.equal(malformed.status, 400);
  assertSecurityHeaders(malformed.headers, 'a request that is not HTTP, over HTTPS');
  const malformedPlain = await malformedRequestAnswer(node.httpUrl);
  assert.equal(malformedPlain.status, 400);
  assertSecurityHeaders(malformedPlain.headers, 'a request that is not HTTP, on the redirect port', { https: false });
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
  const [command, ...args] = cloudyStartArgv(['--root', node.root, '--https-port', '1', '--http-port', '2']);
  const second = spawnSync(command!, args, { cwd: repoDir, encoding: 'utf8', timeout: 30_000 });
  assert.equal(second.status, 78, 'EX_CONFIG: the keeper loop does not restart it');
  assert.match(second.stderr, /already runs under/);
});

test('failed logins for the administrator from one address do not stop the administrator signing in from another', async () => {
  // Loopback is a /8 on Linux: a client bound to 127.0.0.2 is another address to the node listening on 127.0.0.1.
  const guesser = new PanelSession(node.baseUrl, '127.0.0.1');
  const statuses: number[] = [];
  for (let attempt = 0; attempt < 7; attempt++) statuses.push((await guesser.login('admin', `wrong-${attempt}`)).status);
  assert.deepEqual(statuses.slice(0, 5), [401, 401, 401, 401, 401]);
  assert.equal(statuses[5], 429);
  assert.equal((await guesser.login('admin', PASSWORD)).status, 429, 'even the right password waits, from that address');

  const administrator = new PanelSession(node.baseUrl, '127.0.0.2');
  assert.equal((await administrator.login('admin', PASSWORD)).status, 200, 'the administrator signs in from another address');
  assert.equal((await administrator.request('GET', '/api/session')).body.username, 'admin');
});

test('one address guessing many accounts is stopped for every account, and only that address', async () => {
  const sprayer = new PanelSession(node.baseUrl, '127.0.0.3');
  for (let attempt = 0; attempt < 20; attempt++) assert.equal((await sprayer.login(`guess-${attempt}`, 'wrong password')).status, 401);
  assert.equal((await sprayer.login('someone-else', 'wrong password')).status, 429);
  assert.equal((await sprayer.login('admin', PASSWORD)).status, 429, 'that address waits for every account');
  assert.equal((await new PanelSession(node.baseUrl, '127.0.0.4').login('admin', PASSWORD)).status, 200);
});
