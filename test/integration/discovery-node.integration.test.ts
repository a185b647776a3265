// One node's discovery: its first start installs serf through the helper, the 2015-shaped CLI, field errors for bad
// input with nothing published, settings applied to the running agent, and a kill -9 that loses no cached record.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';

import Database from 'better-sqlite3';

import { nodeLayout } from '../../src/shared/node-layout.ts';
import { repoDir, startNodeWithAdmin, type StartedNode } from '../support/cloudy-node.ts';
import { legacyTagWithRealTools, searchAll, serfAddressOf, waitForRecords, waitForSerf } from '../support/discovery-peers.ts';
import { dpkgInstalled } from '../support/module-lifecycle.ts';
import type { PanelSession } from '../support/panel-session.ts';
import { freeSerfPort, type SerfAgent, startSerfAgent } from '../support/serf-agent.ts';

const execFileAsync = promisify(execFile);

describe('discovery on one node', { timeout: 400_000 }, () => {
  let node: StartedNode;
  let session: PanelSession;
  let legacy: SerfAgent | undefined;
  let privateParent = '';

  /** The CLI as a user runs it; asynchronous, so plain agents' log pipes keep draining. */
  async function cloudy(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await execFileAsync('bin/cloudy', ['--root', node.root, ...args], { cwd: repoDir, encoding: 'utf8' });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  }

  before(async () => {
    // The node's first start must install serf itself, through its helper: start from a machine without it.
    if (dpkgInstalled('serf')) await execFileAsync('apt-get', ['remove', '-y', '-o', 'DPkg::Lock::Timeout=600', 'serf'], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    // Its root inside a directory only root may enter, as a fresh clone under mktemp has it: the agent, running as
    // its own user, must still find its files.
    privateParent = mkdtempSync(path.join(os.tmpdir(), 'cloudy-private-'));
    chmodSync(privateParent, 0o700);
    mkdirSync(path.join(privateParent, 'root'));
    ({ node, session } = await startNodeWithAdmin({ root: path.join(privateParent, 'root') }));
  });

  after(async () => {
    await legacy?.stop();
    await node?.stop();
    if (privateParent) rmSync(privateParent, { recursive: true, force: true });
  });

  test('the first start installs serf through the helper and runs its agent, even below a 0700 directory', async () => {
    await waitForSerf(session, 300_000);
    assert.ok(dpkgInstalled('serf'), 'serf is installed');
    const audit = readFileSync(nodeLayout(node.root).auditLogFile, 'utf8');
    assert.match(audit, /discovery\.installAgent\(\{\}\) ok/);
    assert.match(audit, /discovery\.startAgent\(\{.*"rpcAuth":"\*\*\*\*".*\}\) ok/, 'the RPC secret never reaches the audit log');
    const status = JSON.parse((await cloudy('--json', 'discovery', 'status')).stdout);
    assert.equal(status.backends.serf.state, 'running');
    assert.match(status.nodeName, /-[a-z2-7]{6}$/);
  });

  test('publish, search and unpublish with the 2015 avahi-ps shapes', async () => {
    const published = await cloudy('publish', 'My shared files', 'webdav', '8443', 'path=/pub', 'a=1&b=2');
    assert.equal(published.code, 0, published.stderr);
    const [record] = JSON.parse((await cloudy('search', 'webdav', '--json')).stdout) as Array<Record<string, unknown>>;
    for (const field of ['type', 'description', 'node', 'address', 'port', 'microcloud', 'txt', 'rttMs', 'lastSeen', 'source']) assert.ok(field in record!, `${field} in the JSON`);
    assert.deepEqual({ type: record!.type, port: record!.port, txt: record!.txt, source: record!.source }, { type: 'webdav', port: 8443, txt: { path: '/pub', a: '1', b: '2' }, source: 'local' });
    assert.match((await cloudy('search')).stdout, /webdav\s+My shared files/);
    assert.equal((await cloudy('unpublish', 'webdav', '8443')).code, 0);
    assert.deepEqual(JSON.parse((await cloudy('search', 'webdav', '--json')).stdout), []);
    const missing = await cloudy('unpublish', 'webdav', '8443');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /does not exist/);
  });

  test('bad records are refused field by field and nothing is published', async () => {
    const before = (await session.request('GET', '/api/discovery/publications')).body;
    const hostile: Array<[Record<string, unknown>, string]> = [
      [{ description: 'line\nbreak' }, 'description'],
      [{ description: '<script>alert(1)</script>' }, 'description'],
      [{ description: 'x'.repeat(10_000) }, 'description'],
      [{ type: '../etc' }, 'type'],
      [{ type: 'a;reboot' }, 'type'],
      [{ port: 0 }, 'port'],
      [{ port: 70_000 }, 'port'],
      [{ port: '80' }, 'port'],
      [{ txt: { 'bad key': 'v' } }, 'txt'],
      [{ txt: Object.fromEntries(Array.from({ length: 20 }, (_, index) => [`k${index}`, 'v'])) }, 'txt'],
      [{ extra: true }, 'extra'],
    ];
    for (const [change, field] of hostile) {
      const reply = await session.request('POST', '/api/discovery/publications', { description: 'ok', type: 'webdav', port: 8080, txt: {}, ...change });
      assert.equal(reply.status, 400, `${JSON.stringify(change).slice(0, 80)} → ${reply.status}`);
      assert.ok(reply.body.fields?.[field], `a message on ${field}: ${JSON.stringify(reply.body)}`);
    }
    const cli = await cloudy('publish', 'x', 'webdav', '99999');
    assert.equal(cli.code, 1);
    assert.deepEqual((await session.request('GET', '/api/discovery/publications')).body, before);
  });

  test('settings: clear messages for bad values, and a good change reaches the running agent', async () => {
    const bad = await session.request('PUT', '/api/discovery/settings', { microcloud: 'Bad Name', encryptKey: 'short', joinAddresses: ['10.0.0.1;rm -rf /'], serfPort: 80, communityAddress: '192.0.2.77', nope: 1 });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error, 'invalid_settings');
    for (const field of ['microcloud', 'encryptKey', 'joinAddresses', 'serfPort', 'communityAddress', 'nope']) assert.ok(bad.body.fields[field], `message on ${field}`);
    assert.match(bad.body.fields.joinAddresses, /is not an address or address:port/);
    assert.match(bad.body.fields.communityAddress, /not an address of this node/);
    assert.equal((await session.request('GET', '/api/discovery/settings')).body.microcloud, 'guifi', 'nothing saved');
    const cli = await cloudy('discovery', 'configure', 'microcloud=barcelona');
    assert.equal(cli.code, 0, cli.stderr);
    const agent = JSON.parse(readFileSync(path.join(node.root, 'var/lib/cloudy-serf/agent.json'), 'utf8')) as { rpc_addr: string; rpc_auth: string };
    const deadline = Date.now() + 10_000;
    for (;;) {
      const { stdout } = await execFileAsync('serf', ['members', `-rpc-addr=${agent.rpc_addr}`, `-rpc-auth=${agent.rpc_auth}`, '-format', 'json']);
      if ((JSON.parse(stdout) as { members: Array<{ tags: Record<string, string> }> }).members[0]?.tags.mc === 'barcelona') break;
      assert.ok(Date.now() < deadline, 'the agent carries the new microcloud tag');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  });

  test('kill -9 of cloudyd: cached peer records survive, stale, and the database stays whole', async () => {
    const [bindPort, rpcPort] = [await freeSerfPort(), await freeSerfPort()];
    const tag = legacyTagWithRealTools('[{"s":"oldnode","d":"Kept_across_a_crash","m":"old.guifi.local","i":"127.0.0.1","p":"9000","e":"demo","t":""}]');
    legacy = await startSerfAgent({ name: 'crash-peer', bind: `127.0.0.1:${bindPort}`, rpcPort, join: [serfAddressOf(node)], tags: { services: tag } });
    await waitForRecords(session, 'the peer record', (records) => records.find((record) => record.type === 'oldnode'));
    await legacy.stop('SIGKILL');
    legacy = undefined;
    await waitForRecords(session, 'the peer record stale once Serf marks the peer failed', (records) => records.find((record) => record.type === 'oldnode' && record.stale), 30_000, '&includeStale=true');
    await new Promise((resolve) => setTimeout(resolve, 6000)); // the cache is written every 5 s
    const victim = node.state().cloudydPid!;
    process.kill(victim, 'SIGKILL');
    while (node.state().cloudydPid === victim) await new Promise((resolve) => setTimeout(resolve, 100));
    await node.waitHealthy();
    const after = await searchAll(session, '&includeStale=true&type=oldnode');
    assert.equal(after.records[0]?.description, 'Kept across a crash');
    assert.equal(after.records[0]?.stale, true, 'restored from disk, stale until a backend reports it again');
    const db = new Database(nodeLayout(node.root).databaseFile, { readonly: true, fileMustExist: true });
    try {
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    } finally {
      db.close();
    }
  });
});
