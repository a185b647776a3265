// Three nodes on one bridge: a service started on h1 is found by h3 over mDNS and Serf, withdrawn when it stops,
// gone when h1 dies, and back after a partition heals.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import type { ServiceRecord } from '../../src/shared/discovery-contract.ts';
import { eventually, installFromMirror, type LabNode, removeRoots, startLabNode } from '../support/lab-node.ts';
import { createLab, type Lab } from '../support/netns-lab.ts';

const SERF_PORT = 7946;
const search = (node: LabNode, ...args: string[]) => node.cli<ServiceRecord[]>('search', ...args);
const fromNode = (records: ServiceRecord[], nodeName: string, type: string) => records.find((record) => record.node === nodeName && record.type === type);

describe('discovery across three lab hosts', { timeout: 600_000, skip: process.getuid?.() !== 0 && 'needs root for network namespaces' }, () => {
  let lab: Lab;
  let h1: LabNode;
  let h2: LabNode;
  let h3: LabNode;

  before(async () => {
    lab = await createLab(3);
    // Lab hosts cannot reach Debian's mirror: the package is installed from the machine first, so the node's
    // own `apt-get install` (through its helper) finds it installed.
    installFromMirror('serf', 'syncthing');
    [h1, h2, h3] = (await Promise.all(lab.hosts.map((host) => startLabNode(lab, host)))) as [LabNode, LabNode, LabNode];
    // h2 and h3 know only h1; Serf gossip tells them about each other.
    const join = `joinAddresses=${lab.hosts[0]!.address}:${SERF_PORT}`;
    await Promise.all([h2.cli('discovery', 'configure', join), h3.cli('discovery', 'configure', join)]);
  });

  after(async () => {
    await lab?.destroy();
    await removeRoots([h1, h2, h3]);
  });

  test('every node sees all three as Serf members, with mDNS running', async () => {
    const status = await eventually('h3 to see h1 and h2 alive', 60_000, async () => {
      const current = await h3.cli('discovery', 'status');
      return current.members.filter((member: { status: string; cloudy: boolean }) => member.status === 'alive' && member.cloudy).length === 2 ? current : undefined;
    });
    assert.equal(status.backends.serf.state, 'running');
    assert.equal(status.backends.mdns.state, 'running');
    assert.equal(status.communityAddress, lab.hosts[2]!.address);
  });

  test('a service started on h1 is found by h3 through mDNS and through Serf', async () => {
    const started = Date.now();
    await h1.cli('publish', 'Lab files on h1', 'labfiles', '8080', 'path=/pub');
    const record = await eventually('h1 labfiles on h3 from both backends', 30_000, async () => {
      const found = fromNode(await search(h3, 'labfiles'), 'h1', 'labfiles');
      return found && found.sources.includes('mdns') && found.sources.includes('serf') ? found : undefined;
    });
    console.log(`# publish on h1 → visible on h3 through mDNS and Serf: ${Date.now() - started} ms (CLI polling included)`);
    assert.equal(record.address, lab.hosts[0]!.address);
    assert.equal(record.port, 8080);
    assert.equal(record.description, 'Lab files on h1');
    assert.deepEqual(record.txt, { path: '/pub' });
    assert.equal(record.microcloud, 'guifi');
    assert.equal(record.stale, false);
    assert.equal(record.self, false);
  });

  test('Syncthing started on h1 is published; stopping it withdraws it on h3 within seconds', async () => {
    await h1.cli('module', 'install', 'syncthing');
    await h1.cli('module', 'start', 'syncthing');
    const published = await eventually('h1 syncthing on h3', 30_000, async () => fromNode(await search(h3, 'syncthing'), 'h1', 'syncthing'));
    assert.match(published.txt.node_id ?? '', /^[A-Z2-7]{7}(-[A-Z2-7]{7}){7}$/, 'the record carries the device ID as the 2015 Cloudy did');
    const stopped = Date.now();
    await h1.cli('module', 'stop', 'syncthing');
    await eventually('h1 syncthing gone from h3', 15_000, async () => (fromNode(await search(h3, 'syncthing'), 'h1', 'syncthing') ? undefined : true));
    console.log(`# syncthing stopped on h1 → withdrawn on h3: ${Date.now() - stopped} ms`);
    const cached = fromNode(await search(h3, 'syncthing', '--all'), 'h1', 'syncthing');
    assert.equal(cached?.stale, true, 'the withdrawn record stays in the cache, marked stale');
  });

  test('killing h1 removes its records on h3 once Serf marks it failed', async () => {
    await h1.killAll();
    const killed = Date.now();
    await eventually('h1 failed on h3', 30_000, async () => {
      const status = await h3.cli('discovery', 'status');
      return status.members.some((member: { name: string; status: string }) => member.name.startsWith('h1-') && member.status === 'failed') ? true : undefined;
    });
    await eventually('h1 records gone on h3', 10_000, async () => (fromNode(await search(h3), 'h1', 'labfiles') ? undefined : true));
    console.log(`# h1 killed → its records gone on h3: ${Date.now() - killed} ms`);
    const stale = fromNode(await search(h3, '--all'), 'h1', 'labfiles');
    assert.ok(stale?.stale, 'h1 labfiles kept in the cache as stale, with when it was last seen');
    assert.ok(Date.parse(stale.lastSeen) <= Date.now());
  });

  test('h1 comes back, then a partition and its healing converge again', async () => {
    await h1.restart();
    await eventually('h1 labfiles back on h3', 60_000, async () => fromNode(await search(h3), 'h1', 'labfiles'));
    await lab.setConnected(lab.hosts[0]!, false);
    await eventually('h1 gone from h3 during the partition', 30_000, async () => (fromNode(await search(h3), 'h1', 'labfiles') ? undefined : true));
    await eventually('h1 to see h3 failed during the partition', 30_000, async () => {
      const status = await h1.cli('discovery', 'status');
      return status.members.some((member: { name: string; status: string }) => member.name.startsWith('h3-') && member.status === 'failed') ? true : undefined;
    });
    await lab.setConnected(lab.hosts[0]!, true);
    const healed = Date.now();
    await eventually('h1 labfiles back on h3 after healing', 60_000, async () => fromNode(await search(h3), 'h1', 'labfiles'));
    console.log(`# partition healed → h1 visible on h3 again: ${Date.now() - healed} ms`);
    // h3 may see h1's records again through mDNS before h1's Serf agent has reconnected to both (every 5 s).
    await eventually('h1 to see h2 and h3 alive again', 30_000, async () => {
      const status = await h1.cli('discovery', 'status');
      return status.members.filter((member: { status: string }) => member.status === 'alive').length === 2 ? true : undefined;
    });
  });
});
