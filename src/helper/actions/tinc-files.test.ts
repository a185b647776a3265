// Unit tests of the tinc files: what a member writes from a good member list, and that hostile values never reach a file.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';

import type { NetworkState } from '../../shared/vpn-contract.ts';
import { checkNetworkState, renderTincFiles } from './tinc-files.ts';

const key = () => `${generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'pkcs1', format: 'pem' })}`;
const KEY = key();

const state = (overrides: Partial<NetworkState> = {}): NetworkState => ({
  version: 3,
  network: { name: 'community', subnet: '10.99.0.0/24', mode: 'router' },
  self: { name: 'h2', address: '10.99.0.2' },
  peers: [
    { name: 'h1', publicKey: KEY, address: '10.99.0.1', endpoint: { host: '10.78.0.1', port: 655 } },
    { name: 'h3', publicKey: KEY, address: '10.99.0.3' },
  ],
  connectTo: ['h1'],
  ...overrides,
});

test('router mode: tinc.conf names the node and its few ConnectTo peers; host files carry Subnet, Address and the measured settings', () => {
  const files = renderTincFiles(state(), { port: 655, publicKey: KEY, endpointHost: '10.78.0.2' });
  assert.match(files['tinc.conf'], /^Name = h2$/m);
  assert.match(files['tinc.conf'], /^Interface = community$/m);
  assert.match(files['tinc.conf'], /^StrictSubnets = yes$/m);
  assert.deepEqual(files['tinc.conf'].match(/^ConnectTo = .*$/gm), ['ConnectTo = h1']);
  assert.deepEqual(Object.keys(files.hosts).sort(), ['h1', 'h2', 'h3']);
  assert.match(files.hosts.h1!, /^Address = 10\.78\.0\.1 655$/m);
  assert.match(files.hosts.h1!, /^Subnet = 10\.99\.0\.1\/32$/m);
  assert.match(files.hosts.h1!, /^Compression = 0$/m);
  assert.match(files.hosts.h1!, /^Cipher = aes-128-cbc$/m);
  assert.doesNotMatch(files.hosts.h3!, /Address/);
  assert.match(files.hosts.h2!, /^Address = 10\.78\.0\.2 655$/m);
  assert.match(files['tinc-up'], /^ip -4 addr replace 10\.99\.0\.2\/24 dev "\$INTERFACE"$/m);
  assert.ok(files.hosts.h1!.endsWith(KEY.trim() + '\n'));
});

test('switch mode: no Subnet lines, no StrictSubnets, and the ARP retransmit fix in tinc-up', () => {
  const files = renderTincFiles(state({ network: { name: 'community', subnet: '10.99.0.0/24', mode: 'switch' } }), { port: 655, publicKey: KEY });
  assert.doesNotMatch(files['tinc.conf'], /StrictSubnets/);
  assert.doesNotMatch(files.hosts.h1!, /Subnet/);
  assert.match(files['tinc-up'], /retrans_time_ms/);
});

const hostile: Array<[string, (good: NetworkState) => unknown]> = [
  ['a newline in a name', (good) => ({ ...good, peers: [{ ...good.peers[0]!, name: 'h1\nConnectTo = evil' }] })],
  ['../ in a name', (good) => ({ ...good, peers: [{ ...good.peers[0]!, name: '../../etc/passwd' }] })],
  ['shell metacharacters in a name', (good) => ({ ...good, self: { ...good.self, name: 'h2;rm -rf /' } })],
  ['a second Subnet line in an address', (good) => ({ ...good, peers: [{ ...good.peers[0]!, address: '10.99.0.1\nSubnet = 0.0.0.0/0' }] })],
  ['a Subnet line inside the key', (good) => ({ ...good, peers: [{ ...good.peers[0]!, publicKey: `Subnet = 0.0.0.0/0\n${KEY}` }] })],
  ['a key with text after it', (good) => ({ ...good, peers: [{ ...good.peers[0]!, publicKey: `${KEY}Subnet = 0.0.0.0/0\n` }] })],
  ['a command in the endpoint', (good) => ({ ...good, peers: [{ ...good.peers[0]!, endpoint: { host: '$(reboot)', port: 655 } }] })],
  ['an address outside the subnet', (good) => ({ ...good, peers: [{ ...good.peers[0]!, address: '192.168.1.1' }] })],
  ['its own address outside the subnet', (good) => ({ ...good, self: { ...good.self, address: '10.98.0.2' } })],
  ['a subnet that is not a network address', (good) => ({ ...good, network: { ...good.network, subnet: '10.99.0.7/24' } })],
  ['a subnet with an extra line', (good) => ({ ...good, network: { ...good.network, subnet: '10.99.0.0/24\nMode = switch' } })],
  ['a network name with a slash', (good) => ({ ...good, network: { ...good.network, name: 'a/../b' } })],
  ['two peers with one name', (good) => ({ ...good, peers: [good.peers[0]!, { ...good.peers[1]!, name: 'h1' }] })],
  ['a peer named like this node', (good) => ({ ...good, peers: [{ ...good.peers[0]!, name: 'h2' }] })],
  ['two peers with one address', (good) => ({ ...good, peers: [good.peers[0]!, { ...good.peers[1]!, address: '10.99.0.1' }] })],
  ['ConnectTo a stranger', (good) => ({ ...good, connectTo: ['nobody'] })],
  ['an extra field', (good) => ({ ...good, script: '#!/bin/sh\nreboot' })],
  ['a port out of range', (good) => ({ ...good, peers: [{ ...good.peers[0]!, endpoint: { host: '10.78.0.1', port: 70000 } }] })],
];

for (const [what, mutate] of hostile) {
  test(`refused before anything is rendered: ${what}`, () => {
    const bad = mutate(state());
    assert.throws(() => checkNetworkState(bad), /member list/);
    assert.throws(() => renderTincFiles(bad as NetworkState, { port: 655, publicKey: KEY }), /member list/);
  });
}
