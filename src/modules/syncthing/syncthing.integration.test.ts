// Syncthing through a real node, with the generic module suite plus what only Syncthing has.
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import path from 'node:path';

import { freePort } from '../../../test/support/cloudy-node.ts';
import { systemAccount } from '../../../test/support/module-lifecycle.ts';
import { moduleLifecycleSuite, type SuiteContext } from '../../../test/support/module-lifecycle-suite.ts';
import { syncthingManifest } from './manifest.ts';

const REST = '/apps/syncthing/rest';
let listenPort = 0;

async function ownDevice({ session }: SuiteContext): Promise<{ id: string; name: string }> {
  const { myID } = (await session.request('GET', `${REST}/system/status`)).body;
  return { id: myID, name: (await session.request('GET', `${REST}/config/devices/${myID}`)).body.name };
}

moduleLifecycleSuite({
  manifest: syncthingManifest,
  async settings() {
    listenPort = await freePort();
    return { deviceName: 'lab node', listenPort, guiPort: await freePort(), maxSendKiBps: 100 };
  },
  async whileRunning(context) {
    const detail = await context.detail();
    const device = await ownDevice(context);
    assert.equal(detail.details.find((line: { label: string }) => line.label === 'Device ID').value, device.id, 'the panel shows the real device ID');
    assert.equal(device.name, 'lab node');
    const options = (await context.session.request('GET', `${REST}/config/options`)).body;
    assert.equal(options.maxSendKbps, 100);
    assert.equal(options.globalAnnounceEnabled, false);
    assert.equal(options.relaysEnabled, false);
    assert.deepEqual(options.listenAddresses, [`tcp://0.0.0.0:${listenPort}`]);
    const folderPath = path.join(context.node.root, 'srv/cloudy/syncthing/shared');
    assert.equal(statSync(folderPath).uid, systemAccount('cloudy-syncthing').uid);
    assert.ok(detail.details.some((line: { value: string }) => line.value === folderPath), 'the shared folder is listed');
    assert.match(String((await context.session.request('GET', '/apps/syncthing/')).body), /Syncthing/, "Syncthing's own UI comes through the proxy");
  },
  liveChange: {
    values: { deviceName: 'renamed node' },
    async verify(context) {
      assert.equal((await ownDevice(context)).name, 'renamed node');
    },
  },
});
