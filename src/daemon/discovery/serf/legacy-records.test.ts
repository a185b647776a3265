// Unit tests of the mapping between our records and the 2015 `services` tag entries {s,d,m,i,p,e,t}.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { OwnService } from '../local-publications.ts';
import { fromLegacyServices, toLegacyService } from './legacy-records.ts';
import type { LegacyService } from './legacy-services-tag.ts';

const service: OwnService = { type: 'syncthing', protocol: 'tcp', port: 22000, description: 'Syncthing at the Ateneu', txt: { node_id: 'ABC-DEF', v: '1' }, origin: 'syncthing' };
const node = { name: 'h1', microcloud: 'sants', address: '10.0.0.5', device: 'eth0' };
const member = { name: 'old-node', addr: '10.9.9.9' };
const entry = (overrides: Partial<LegacyService> = {}): LegacyService => ({ s: 'proxy3', d: 'Proxy_de_Guifi', m: 'h7.guifi.local', i: '10.1.2.3', p: '3128', e: 'eth0', t: '', ...overrides });

test('toLegacyService writes the 2015 entry: spaces as _, port as a string, m = node.microcloud.local', () => {
  assert.deepEqual(toLegacyService(service, node), { s: 'syncthing', d: 'Syncthing_at_the_Ateneu', m: 'h1.sants.local', i: '10.0.0.5', p: '22000', e: 'eth0', t: 'node_id=ABC-DEF v=1' });
  assert.equal(toLegacyService(service, { ...node, microcloud: '' }).m, 'h1.guifi.local', 'the 2015 default microcloud');
  assert.equal(toLegacyService({ ...service, txt: {} }, node).t, '');
});

test('fromLegacyServices reads node and microcloud from m, spaces from _, the port from text', () => {
  assert.deepEqual(fromLegacyServices([entry({ t: 'a=1&b=2' })], member), [
    { type: 'proxy3', description: 'Proxy de Guifi', node: 'h7', nodeId: 'serf:old-node', address: '10.1.2.3', port: 3128, microcloud: 'guifi', txt: { a: '1', b: '2' } },
  ]);
  const [withDot] = fromLegacyServices([entry({ m: 'h7.sants.local.' })], member);
  assert.deepEqual([withDot?.node, withDot?.microcloud], ['h7', 'sants']);
  const [bare] = fromLegacyServices([entry({ m: 'h7' })], member);
  assert.deepEqual([bare?.node, bare?.microcloud], ['h7', '']);
  const [empty] = fromLegacyServices([entry({ m: '' })], member);
  assert.equal(empty?.node, 'old-node', 'no host in m: the member name');
});

test('an address that is not an IP falls back to the member’s own', () => {
  for (const i of ['', 'h7.guifi.local', '10.1.2.300', '$(reboot)', '10.1.2.3 ']) {
    assert.equal(fromLegacyServices([entry({ i })], member)[0]?.address, '10.9.9.9', JSON.stringify(i));
  }
  assert.equal(fromLegacyServices([entry({ i: '::ffff:10.4.4.4' })], member)[0]?.address, '10.4.4.4');
});

test('entries with a bad port or type are dropped; the rest kept; every record is the member’s', () => {
  const records = fromLegacyServices([entry({ p: 'http' }), entry({ p: '70000' }), entry({ p: '-1' }), entry({ s: '../x' }), entry({ s: 'tahoe-lafs', p: '0' }), entry({ p: '80' })], member);
  assert.deepEqual(records.map((record) => [record.type, record.port, record.nodeId]), [['tahoe-lafs', 0, 'serf:old-node'], ['proxy3', 80, 'serf:old-node']]);
  assert.equal(fromLegacyServices([entry()], { name: 'a b/c', addr: '10.9.9.9' })[0]?.nodeId, 'serf:a-b-c');
});

test('our entry read back by fromLegacyServices is our record again', () => {
  const [record] = fromLegacyServices([toLegacyService(service, node)], { name: 'h1-abcdef', addr: '10.0.0.5' });
  assert.deepEqual(record, { type: 'syncthing', description: 'Syncthing at the Ateneu', node: 'h1', nodeId: 'serf:h1-abcdef', address: '10.0.0.5', port: 22000, microcloud: 'sants', txt: service.txt });
});
