// The devices to graph from a CNML export (fixtures/cnml-osona.xml): status, addresses, inherited graph servers, and
// hostile files (entities, huge, malformed, too many devices).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { CnmlError, cnmlDevices, pollableIpv4 } from './cnml-devices.ts';

const osona = readFileSync(new URL('./fixtures/cnml-osona.xml', import.meta.url), 'utf8');

test('working devices with an address, the graph server inherited from node and zones', () => {
  assert.deepEqual(
    cnmlDevices(osona).map((device) => [device.id, device.address, device.graphServer, device.nodeId]),
    [
      ['26081', '10.138.17.1', '7831', '26080'], // the AP's wLan/Lan address, the zone's server
      ['26082', '10.138.17.5', '7831', '26080'],
      ['27002', '10.138.17.10', '9000', '27001'], // a client radio: its Wan address, not its 192.168 Lan; the node's server
      ['27101', '10.138.18.1', null, '27100'], // graph_server -1: none
      ['27102', '10.138.18.3', '7831', '27100'], // 010.138.18.2 is not taken
      ['28001', '172.25.40.2', '7831', '28000'], // its own server over the zone's; only a wds address
      ['28011', '10.139.5.1', '9000', '28010'],
    ],
  );
});

test('with graphServerId, only that server’s devices', () => {
  assert.deepEqual(cnmlDevices(osona, { graphServerId: '7831' }).map((device) => device.name), [
    'VicPlacaMajor-RB',
    'VicPlacaMajor-Server',
    'Masia[2J Router & "more" with a name far too long to be shown on', // controls out, cut to 64
    'ManlleuTorre-RB',
  ]);
  assert.deepEqual(cnmlDevices(osona, { graphServerId: '1' }), []);
});

test('addresses: dotted decimal a graph server can reach', () => {
  assert.equal(pollableIpv4('10.1.2.3'), '10.1.2.3');
  for (const bad of ['010.1.2.3', '10.1.2', '10.1.2.256', '0.1.2.3', '127.0.0.1', '169.254.1.1', '224.0.0.1', '255.255.255.255', ' 10.1.2.3', '10.1.2.3\n', 'fe80::1', undefined]) {
    assert.equal(pollableIpv4(bad), null, String(bad));
  }
});

test('a node export (nodes right under <cnml>) is read too', () => {
  const xml = '<cnml version="0.1"><class node_description="26080" mapping="y"/><node id="5" status="Working" graph_server="12"><device id="6" title="a" status="Working"><interface ipv4="10.0.0.6" type="Lan"/></device></node></cnml>';
  assert.deepEqual(cnmlDevices(xml), [{ id: '6', name: 'a', address: '10.0.0.6', graphServer: '12', nodeId: '5' }]);
});

test('DOCTYPE entities are not expanded', () => {
  const laughs = `<?xml version="1.0"?><!DOCTYPE cnml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>
    <cnml><network><zone id="1"><node id="2"><device id="3" title="&c;" status="Working"><interface ipv4="10.0.0.3"/></device></node></zone></network></cnml>`;
  assert.equal(cnmlDevices(laughs)[0]!.name, '&c;');
});

test('hostile files: too large, too many devices, not XML, not CNML, prototype names', () => {
  assert.throws(() => cnmlDevices(osona, { maxBytes: 1024 }), (error: Error) => error instanceof CnmlError && /larger than/.test(error.message));
  assert.throws(() => cnmlDevices(osona, { maxDevices: 3 }), /more than 3 devices/);
  assert.throws(() => cnmlDevices('<cnml><network><zone id="1"><node'), CnmlError);
  assert.throws(() => cnmlDevices('<html><body>502 Bad Gateway</body></html>'), /no <cnml> element/);
  const many = `<cnml><network><zone id="1"><node id="2">${Array.from({ length: 6000 }, (_, i) => `<device id="${i + 10}" status="Working"><interface ipv4="10.0.${i >> 8}.${(i & 255) || 1}"/></device>`).join('')}</node></zone></network></cnml>`;
  assert.throws(() => cnmlDevices(many), /more than 5000 devices/);
});

test('prototype names: refused as tags, harmless as attributes', () => {
  assert.throws(() => cnmlDevices('<cnml><__proto__ polluted="1"/></cnml>'), CnmlError);
  const xml = '<cnml><network><zone id="1" __proto__="x"><node id="2" constructor="y"><device id="3" status="Working" __proto__="z"><interface ipv4="10.0.0.3"/></device></node></zone></network></cnml>';
  assert.deepEqual(cnmlDevices(xml).map((device) => device.id), ['3']);
  assert.equal((Object.prototype as Record<string, unknown>).polluted, undefined);
});

test('ids must be plain numbers; a device without a name gets one', () => {
  const xml = '<cnml><network><zone id="1"><node id="2"><device id="3 OR 1=1" status="Working"><interface ipv4="10.0.0.3"/></device><device id="4" status="Working"><interface ipv4="10.0.0.4"/></device></node><node id="x"><device id="5" status="Working"><interface ipv4="10.0.0.5"/></device></node></zone></network></cnml>';
  assert.deepEqual(cnmlDevices(xml).map((device) => [device.id, device.name]), [['4', 'device 4']]);
});
