// Unit tests of the 2015 getinconf protocol: path parsing, the md5 check, the hand-made multipart key, the script.
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';

import type { NetworkState } from '../../shared/vpn-contract.ts';
import { legacyHashMatches, legacyPublicKey, legacyScript, parseLegacyPath } from './legacy-enrolment.ts';

const KEY = `${generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'pkcs1', format: 'pem' })}`;
const HASH = createHash('md5').update('AA:BB:CC:DD:EE:FFsecretkeyguifi').digest('hex');
const path = (...tail: string[]) => [HASH, 'guifi', 'aa-bb-cc-dd-ee-ff', ...tail];

test('the 2015 path: MAC upper-cased with colons, names fixed, 665 means no Port line and tinc port 655, 0 means behind NAT', () => {
  const request = parseLegacyPath(path('my-node.local', '0', '665', '1'));
  assert.equal(request.mac, 'AA:BB:CC:DD:EE:FF');
  assert.equal(request.name, 'my_node_local');
  assert.equal(request.address, null);
  assert.equal(request.port, 655);
  assert.equal(request.portLine, null);
  assert.equal(request.allConfig, true);
  assert.ok(legacyHashMatches(request, 'secretkey'));
  assert.ok(!legacyHashMatches(request, 'otherkey'));
  const direct = parseLegacyPath(path('n', '10.1.2.3', '656', '0'));
  assert.deepEqual([direct.address, direct.port, direct.portLine, direct.allConfig], ['10.1.2.3', 656, 656, false]);
});

test('segments a 2015 client never sends are refused', () => {
  for (const bad of [
    path('a;b', '0', '665', '1'),
    path('n', '10.0.0.1;reboot', '665', '1'),
    path('n', '0', '70000', '1'),
    path('n', '0', '665', '2'),
    path('n', '0', '665', '1', 'extra'),
    [HASH, '../etc', 'aa-bb-cc-dd-ee-ff'],
    [HASH.toUpperCase(), 'guifi', 'aa-bb-cc-dd-ee-ff'],
    [HASH, 'guifi', 'aa:bb:cc:dd:ee:ff'],
  ]) {
    assert.throws(() => parseLegacyPath(bad), { name: 'LegacyRequestError' }, bad.join('/'));
  }
});

test('the rsakeypub field of the client’s body, with its malformed closing boundary; anything else in it is refused', () => {
  const boundary = '-----02CAFFEEBABE';
  const body = (content: string) => `\n--${boundary}\nContent-Disposition: form-data; name="rsakeypub"; filename=rsakeypub\nContent-Type: text/plain\n\n\n${content}\n\n--${boundary}- -`;
  assert.equal(legacyPublicKey(body(KEY), `multipart/form-data; boundary=${boundary}`), KEY);
  assert.equal(legacyPublicKey(body(`${KEY}Subnet=0.0.0.0/0`), `multipart/form-data; boundary=${boundary}`), null);
  assert.equal(legacyPublicKey(body(KEY), 'multipart/form-data'), null);
  assert.equal(legacyPublicKey(body(KEY).replace('rsakeypub"', 'other"'), `multipart/form-data; boundary=${boundary}`), null);
});

test('the script is genscript.ctp’s: heredocs of validated values, peers first, the node itself last', () => {
  const state: NetworkState = {
    version: 1,
    network: { name: 'guifi', subnet: '10.98.0.0/24', mode: 'router' },
    self: { name: 'old', address: '10.98.0.2' },
    peers: [{ name: 'srv', publicKey: KEY, address: '10.98.0.1', endpoint: { host: '10.1.0.1', port: 655 } }],
    connectTo: ['srv'],
  };
  const script = legacyScript(state, parseLegacyPath(path('old', '10.1.0.2', '665', '1')), KEY);
  assert.match(script, /^#!\/bin\/sh\n\nmkdir -p \/etc\/tinc\/guifi\ncat > \/etc\/tinc\/guifi\/tinc\.conf <<EOF\nConnectTo=srv\nDevice=\/dev\/net\/tun\nMode=router\nName=old\nPrivateKeyFile=\/etc\/tinc\/rsa_key\.priv\nEOF\n/);
  assert.match(script, /ip -4 addr add 10\.98\.0\.2\/24 dev \\\$INTERFACE/);
  assert.ok(script.indexOf('hosts/srv') < script.indexOf('hosts/old'));
  assert.match(script, /cat > \/etc\/tinc\/guifi\/hosts\/srv <<EOF\nSubnet=10\.98\.0\.1\/32\nCompression=10\nAddress=10\.1\.0\.1\nPort=655\n\n-----BEGIN RSA PUBLIC KEY-----/);
  assert.match(script, /hosts\/old <<EOF\nSubnet=10\.98\.0\.2\/32\nCompression=10\nAddress=10\.1\.0\.2\n\n/);
  assert.ok(script.endsWith('\n# End Of Script.\n'));
  const onlyHosts = legacyScript(state, parseLegacyPath(path('old', '0', '665', '0')), KEY);
  assert.doesNotMatch(onlyHosts, /tinc\.conf|hosts\/old/);
});
