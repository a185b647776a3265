// Two real nodes and a plain 2015-style Serf agent on loopback: 50 services cross the tag cap, legacy records both ways.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';

import type { ServiceRecord } from '../../src/shared/discovery-contract.ts';
import { repoDir, startNodeWithAdmin, type StartedNode } from '../support/cloudy-node.ts';
import { decodeWithRealTools, legacyTagWithRealTools, serfAddressOf, waitForRecords, waitForSerf } from '../support/discovery-peers.ts';
import type { PanelSession } from '../support/panel-session.ts';
import { freeSerfPort, type SerfAgent, startSerfAgent } from '../support/serf-agent.ts';

const execFileAsync = promisify(execFile);
const SERVICES = 50;
const LEGACY_KEYS = ['d', 'e', 'i', 'm', 'p', 's', 't'];

/** Asynchronous: a synchronous child would stop this process reading the plain agent's log pipe, and a full pipe stalls it. */
async function cloudyCli(node: StartedNode, ...args: string[]): Promise<string> {
  return (await execFileAsync(process.execPath, ['--import', 'tsx', path.join(repoDir, 'src/cli/cloudy.ts'), '--root', node.root, ...args], { cwd: repoDir, encoding: 'utf8' })).stdout;
}

describe('discovery between nodes', { timeout: 300_000 }, () => {
  let a: { node: StartedNode; session: PanelSession };
  let b: { node: StartedNode; session: PanelSession };
  let legacy: SerfAgent | undefined;

  before(async () => {
    [a, b] = await Promise.all([startNodeWithAdmin(), startNodeWithAdmin()]);
    await Promise.all([waitForSerf(a.session), waitForSerf(b.session)]);
    const joined = await b.session.request('PUT', '/api/discovery/settings', { joinAddresses: [serfAddressOf(a.node)] });
    assert.equal(joined.status, 200, JSON.stringify(joined.body));
  });

  after(async () => {
    await legacy?.stop();
    await Promise.all([a?.node.stop(), b?.node.stop()]);
  });

  test(`a node publishing ${SERVICES} services: all found by the other node, none lost to the 512-byte tag cap`, async () => {
    for (let index = 0; index < SERVICES; index++) {
      const reply = await a.session.request('POST', '/api/discovery/publications', { description: `Service number ${index}`, type: `bulk${index % 7}`, port: 20_000 + index, txt: { index: String(index) } });
      assert.equal(reply.status, 201, JSON.stringify(reply.body));
    }
    const found = await waitForRecords(b.session, `${SERVICES} services of A on B`, (records) => {
      const fromA = records.filter((record) => record.type.startsWith('bulk') && !record.self);
      return fromA.length === SERVICES ? fromA : undefined;
    });
    assert.deepEqual(found.map((record) => record.port).sort(), Array.from({ length: SERVICES }, (_, index) => 20_000 + index));
    assert.ok(found.every((record) => record.sources.includes('serf') && record.description.startsWith('Service number')));
    const { body: status } = await a.session.request('GET', '/api/discovery/status');
    assert.equal(status.legacyTag.total, SERVICES);
    assert.ok(status.legacyTag.published > 0 && status.legacyTag.published < SERVICES, `the legacy tag holds a subset: ${JSON.stringify(status.legacyTag)}`);
  });

  test('a 2015 node (plain serf agent, tag set with `serf tags -set`) shows up in `cloudy search`', async () => {
    const [bindPort, rpcPort] = [await freeSerfPort(), await freeSerfPort()];
    legacy = await startSerfAgent({ name: 'legacy-node', bind: `127.0.0.1:${bindPort}`, rpcPort, join: [serfAddressOf(a.node)] });
    const value = legacyTagWithRealTools('[{"s":"legacytype","d":"Legacy_probe_2015","m":"old.guifi.local","i":"127.0.0.1","p":"8099","e":"demo","t":"a=1 b=2"}]');
    await execFileAsync('serf', ['tags', `-rpc-addr=127.0.0.1:${rpcPort}`, '-set', `services=${value}`]);
    const started = Date.now();
    let record: ServiceRecord | undefined;
    while (!record && Date.now() - started < 30_000) {
      record = (JSON.parse(await cloudyCli(a.node, 'search', 'legacytype', '--json')) as ServiceRecord[])[0];
    }
    assert.ok(record, 'cloudy search lists the 2015 record');
    assert.equal(record.description, 'Legacy probe 2015');
    assert.equal(record.node, 'old');
    assert.equal(record.microcloud, 'guifi');
    assert.equal(record.port, 8099);
    assert.deepEqual(record.txt, { a: '1', b: '2' });
    assert.equal(record.source, 'legacy');
    assert.match(await cloudyCli(a.node, 'search', 'legacytype'), /Legacy probe 2015/);
  });

  test('our legacy tag decodes with base64 -d | bunzip2 to the 2015 JSON shape', async () => {
    const members = JSON.parse((await execFileAsync('serf', ['members', `-rpc-addr=127.0.0.1:${legacy!.rpcPort}`, '-format', 'json'], { encoding: 'utf8' })).stdout) as { members: Array<{ name: string; tags: Record<string, string> }> };
    const ours = members.members.find((member) => member.tags.cy && member.tags.services && member.name !== 'legacy-node');
    assert.ok(ours, `a Cloudy node with a services tag among ${JSON.stringify(members.members.map((member) => member.name))}`);
    const entries = decodeWithRealTools(ours.tags.services!) as Array<Record<string, unknown>>;
    assert.ok(Array.isArray(entries) && entries.length > 0);
    for (const entry of entries) {
      assert.deepEqual(Object.keys(entry).sort(), LEGACY_KEYS);
      assert.ok(Object.values(entry).every((field) => typeof field === 'string'), 'every field is a string, the port too');
      assert.match(String(entry.m), /^[a-z0-9-]+\.guifi\.local$/);
      assert.match(String(entry.p), /^\d+$/);
      assert.doesNotMatch(String(entry.d), / /, 'descriptions have their spaces written as _');
    }
  });

  test('a node whose panel peers cannot reach still shares its list, page by page over Serf queries', async () => {
    // Its panel listens on 127.0.0.2 while it gossips from 127.0.0.1: the HTTPS port its tags announce answers nowhere.
    const c = await startNodeWithAdmin({ listen: '127.0.0.2', communityAddress: '127.0.0.1' });
    try {
      await waitForSerf(c.session);
      await c.session.request('PUT', '/api/discovery/settings', { joinAddresses: [serfAddressOf(a.node)] });
      for (let index = 0; index < 30; index++) {
        const reply = await c.session.request('POST', '/api/discovery/publications', { description: `Hidden panel service ${index}`, type: 'hidden', port: 30_000 + index, txt: { index: String(index) } });
        assert.equal(reply.status, 201);
      }
      const found = await waitForRecords(b.session, '30 services of C on B', (records) => {
        const fromC = records.filter((record) => record.type === 'hidden');
        return fromC.length === 30 ? fromC : undefined;
      }, 60_000);
      assert.ok(found.every((record) => record.sources.includes('serf') && record.txt.index === String(record.port - 30_000)));
    } finally {
      await c.node.stop();
    }
  });

  test('an unpublished service disappears from the other node within seconds', async () => {
    const removed = await a.session.request('DELETE', '/api/discovery/publications/bulk0/20000');
    assert.equal(removed.status, 204);
    const started = Date.now();
    await waitForRecords(b.session, 'bulk0:20000 gone', (records) => (records.some((record) => record.port === 20_000 && !record.self) ? undefined : true), 10_000);
    console.log(`# unpublish on A → gone on B: ${Date.now() - started} ms`);
  });
});
