// Syncthing through a real node, with the generic module suite plus what only Syncthing has.
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import path from 'node:path';

import { freePort } from '../../../test/support/cloudy-node.ts';
import { systemAccount } from '../../../test/support/module-lifecycle.ts';
import { moduleLifecycleSuite, type SuiteContext } from '../../../test/support/module-lifecycle-suite.ts';
import { syncthingManifest } from './manifest.ts';
import { syncthingTranslations } from './translations.ts';

const REST = '/apps/syncthing/rest';
let listenPort = 0;
let guiPort = 0;

async function ownDevice({ session }: SuiteContext): Promise<{ id: string; name: string }> {
  const { myID } = (await session.request('GET', `${REST}/system/status`)).body;
  return { id: myID, name: (await session.request('GET', `${REST}/config/devices/${myID}`)).body.name };
}

moduleLifecycleSuite({
  manifest: syncthingManifest,
  translations: syncthingTranslations,
  async settings() {
    [listenPort, guiPort] = [await freePort(), await freePort()];
    return { deviceName: 'lab node', listenPort, guiPort, maxSendKiBps: 100 };
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

    // The settings held from the first second: never Syncthing's default port, never the Internet relays.
    const daemonLog = ((await context.session.request('GET', '/api/modules/syncthing/logs')).body as Array<{ text: string }>).map((line) => line.text);
    assert.ok(daemonLog.some((text) => text.includes(`:${listenPort}`)), 'it logs its configured listener');
    assert.ok(!daemonLog.some((text) => text.includes(':22000') || text.includes('relays.syncthing.net')), daemonLog.filter((text) => /22000|relays/.test(text)).join('\n'));
    // Local users cannot drive it without the key Cloudy keeps.
    const direct = await fetch(`http://127.0.0.1:${guiPort}/rest/system/status`);
    assert.ok([401, 403].includes(direct.status), `unauthenticated local access answered ${direct.status}`);
  },
  liveChange: {
    values: { deviceName: 'renamed node' },
    async verify(context) {
      assert.equal((await ownDevice(context)).name, 'renamed node');
    },
  },
});
