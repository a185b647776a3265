// SNPServices through a real node: the generic module suite, then its own snmpd graphed by its own graph server
// (discovery publishes the agent, the graph server polls it at once), the public JSON and badges on both ports, the
// graphs API, and a settings change that brings a new round without restarting snmpd.
import assert from 'node:assert/strict';

import { freePort } from '../../../test/support/cloudy-node.ts';
import { moduleLifecycleSuite, type SuiteContext } from '../../../test/support/module-lifecycle-suite.ts';
import { snpservicesManifest } from './manifest.ts';
import { snpservicesTranslations } from './translations.ts';

/** The test node's community address is loopback: its own agent is graphed as this device. */
const SELF = 'n.127.0.0.1';

async function eventually<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 45_000): Promise<T> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 500))) {
    const value = await probe();
    if (value) return value;
  }
  return assert.fail(`${what} within ${timeoutMs} ms`);
}

/** On the plain HTTP port, as guifi.net's web and other graph servers read it. */
const plain = (context: SuiteContext, path: string) => fetch(`${context.node.httpUrl}/snpservices/${path}`);

async function publicJson(context: SuiteContext, path: string): Promise<any> {
  const reply = await plain(context, path);
  return reply.status === 200 ? reply.json() : null;
}

moduleLifecycleSuite({
  manifest: snpservicesManifest,
  translations: snpservicesTranslations,
  async settings() {
    return { agentPort: await freePort({ udp: true }), pollMinutes: 2 };
  },
  async whileRunning(context) {
    const device = await eventually('its own agent graphed and up', async () => {
      const devices = (await publicJson(context, 'devices.json')) as Array<{ key: string; status: string; source: string; address: string }> | null;
      return devices?.find((candidate) => candidate.key === SELF && candidate.status === 'up');
    });
    assert.equal(device.source, 'discovered');
    assert.equal(device.address, '127.0.0.1');
    assert.ok(!JSON.stringify(device).includes('public'), 'the community is not published in the JSON');
    const detail = await publicJson(context, `device/${SELF}.json`);
    assert.ok(detail.sysName, 'sysName read by SNMP');
    assert.ok(detail.ping.received > 0, 'pinged');

    // The badge over HTTPS and the plain port; the legacy URL of an unknown CNML device.
    const badge = await context.session.request('GET', `/snpservices/device/${SELF}/badge.svg?lang=ca`);
    assert.equal(badge.status, 200);
    assert.match(String(badge.headers['content-type']), /^image\/svg\+xml/);
    assert.match(String(badge.body), />En línia</);
    const legacy = await plain(context, 'graphs/graphs.php?type=availability&device=123');
    assert.match(await legacy.text(), />unknown</);
    assert.equal((await plain(context, 'device/..%2F..%2Fetc%2Fpasswd.json')).status, 404);

    // A PNG drawn by gnuplot as the module's user, for anyone.
    const image = await plain(context, `device/${SELF}/ping.png?range=1h&lang=es`);
    assert.equal(image.status, 200);
    assert.equal(image.headers.get('content-type'), 'image/png');
    assert.deepEqual([...new Uint8Array(await image.arrayBuffer()).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);

    const graphs = (await context.session.request('GET', '/api/modules/snpservices/graphs?range=1h')).body;
    assert.ok(graphs.groups.some((group: { name: string; status: string }) => group.name.endsWith('(127.0.0.1)') && group.status === 'up'), JSON.stringify(graphs.groups));
    assert.ok(graphs.graphs.some((graph: { unit: string }) => graph.unit === 'milliseconds'), 'a ping graph');
  },
  liveChange: {
    // Restarts the rounds (one now) but not snmpd: its file does not change.
    values: { pollMinutes: 3 },
    async verify(context) {
      const pid = (await context.detail()).state.daemons[0].pid;
      const loopback = await eventually('rates of lo after a second round', async () => {
        const detail = await publicJson(context, `device/${SELF}.json?range=1h`);
        return detail?.interfaces.find((face: { name: string }) => face.name === 'lo');
      });
      assert.ok(loopback.seconds > 0 && loopback.inBytes >= 0 && loopback.inBytesPerSecond >= 0, JSON.stringify(loopback));
      const graphs = (await context.session.request('GET', '/api/modules/snpservices/graphs?range=1h')).body;
      const traffic = graphs.graphs.find((graph: { title: string }) => graph.title === 'lo');
      assert.ok(traffic?.lines[0].points.length >= 1, 'the lo graph has a point');
      assert.equal((await context.detail()).state.daemons[0].pid, pid, 'snmpd kept running');
    },
  },
});
