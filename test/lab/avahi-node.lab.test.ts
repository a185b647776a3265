// A node on a host where avahi-daemon runs publishes through it (service files); what avahi sees, the nodes see,
// and what the nodes publish, avahi-browse -a shows.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import type { ServiceRecord } from '../../src/shared/discovery-contract.ts';
import { type AvahiInstance, startAvahi } from '../support/avahi-lab.ts';
import { eventually, installFromMirror, type LabNode, removeRoots, startLabNode } from '../support/lab-node.ts';
import { createLab, type Lab } from '../support/netns-lab.ts';

const found = (records: ServiceRecord[], type: string, node: string) => records.find((record) => record.type === type && record.node === node);

describe('a node cooperating with avahi-daemon', { timeout: 300_000, skip: process.getuid?.() !== 0 && 'needs root for network namespaces' }, () => {
  let lab: Lab;
  let h1: LabNode;
  let h2: LabNode;
  let avahi: AvahiInstance;

  before(async () => {
    installFromMirror('serf', 'avahi-daemon', 'avahi-utils', 'dbus-daemon');
    lab = await createLab(2);
    const [host1, host2] = [lab.hosts[0]!, lab.hosts[1]!];
    // avahi-daemon on h1 uses the node's own run/avahi-daemon and etc/avahi/services, as on a real machine.
    h1 = await startLabNode(lab, host1, {
      beforeStart: async (root) => {
        const [runDir, servicesDir] = [path.join(root, 'run/avahi-daemon'), path.join(root, 'etc/avahi/services')];
        mkdirSync(runDir, { recursive: true });
        mkdirSync(servicesDir, { recursive: true });
        avahi = await startAvahi(lab, host1, { workDir: path.join(root, 'avahi-lab'), runDir, servicesDir, hostName: 'h1' });
      },
    });
    h2 = await startLabNode(lab, host2);
  });

  after(async () => {
    await lab?.destroy();
    await removeRoots([h1, h2]);
  });

  test('h1 publishes through avahi: a service file, seen by avahi-browse and by h2', async () => {
    const status = await h1.cli('discovery', 'status');
    assert.equal(status.backends.mdns.publisher, 'avahi', JSON.stringify(status.backends.mdns));
    await h1.cli('publish', 'Files on h1', 'labfiles', '8080', 'path=/pub');
    const files = await eventually('a cloudy service file', 10_000, async () => {
      const names = readdirSync(path.join(h1.root, 'etc/avahi/services')).filter((name) => name.startsWith('cloudy-'));
      return names.length > 0 ? names : undefined;
    });
    assert.deepEqual(files, ['cloudy-labfiles-8080.service']);
    const row = await eventually('avahi-browse on h1 lists it', 15_000, async () => (await avahi.browse()).find((entry) => entry.event === '=' && entry.type === '_labfiles._tcp'));
    assert.ok(row.txt?.includes('path=/pub'), JSON.stringify(row));
    const record = await eventually('h2 finds it over mDNS', 20_000, async () => found(await h2.cli('search', 'labfiles'), 'labfiles', 'h1'));
    assert.ok(record.sources.includes('mdns'));
    await h1.cli('unpublish', 'labfiles', '8080');
    await eventually('the service file removed', 10_000, async () => (readdirSync(path.join(h1.root, 'etc/avahi/services')).some((name) => name.startsWith('cloudy-')) ? undefined : true));
  });

  test('what avahi publishes on h1 is found by both nodes; what h2 publishes appears in avahi-browse -a', async () => {
    avahi.publish('Old printer', '_ipp._tcp', 631, ['rp=queue']);
    for (const node of [h1, h2]) {
      const record = await eventually(`${node.host.name} finds avahi's service`, 20_000, async () => (await node.cli('search', 'ipp')).find((entry: ServiceRecord) => entry.description === 'Old printer'));
      assert.deepEqual(record.txt, { rp: 'queue' });
    }
    await h2.cli('publish', 'Files on h2', 'otherfiles', '8081');
    const row = await eventually('avahi-browse -a on h1 lists h2’s record', 20_000, async () => (await avahi.browse()).find((entry) => entry.event === '=' && entry.type === '_otherfiles._tcp'));
    assert.equal(row.address, lab.hosts[1]!.address);
    assert.equal(row.port, 8081);
  });
});
