// Setting options in a config.xml that `syncthing generate` (1.19) wrote, keeping everything else.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { readOptions, SyncthingConfigError, withOptions } from './config.ts';

const generated = readFileSync(new URL('./fixtures/generated-config.xml', import.meta.url), 'utf8');

test('options are replaced in place, lists become repeated elements', () => {
  const updated = withOptions(generated, { listenAddresses: ['tcp://0.0.0.0:22010'], globalAnnounceEnabled: false, relaysEnabled: false, maxSendKbps: 100, urAccepted: -1 });
  const options = readOptions(updated);
  assert.deepEqual(options.listenAddresses, ['tcp://0.0.0.0:22010']);
  assert.equal(options.globalAnnounceEnabled, 'false');
  assert.equal(options.relaysEnabled, 'false');
  assert.equal(options.maxSendKbps, '100');
  assert.equal(options.urAccepted, '-1');
  assert.equal(options.localAnnouncePort, '21027', 'untouched options stay');
  assert.ok(updated.indexOf('<listenAddress>') < updated.indexOf('<globalAnnounceServer>'), 'the element keeps its place');
});

test('everything outside <options> survives the round trip', () => {
  const updated = withOptions(generated, { relaysEnabled: false });
  for (const kept of ['<configuration version="36">', 'id="AAAAAAA-BBBBBBB-CCCCCCC-DDDDDDD-EEEEEEE-FFFFFFF-GGGGGGG-HHHHHHH"', '<apikey>fixture-api-key</apikey>', '<user>cloudy</user>', '<minHomeDiskFree unit="%">1</minHomeDiskFree>', '<address>127.0.0.1:8384</address>']) {
    assert.ok(updated.includes(kept), `kept: ${kept}`);
  }
  assert.deepEqual(readOptions(withOptions(updated, {})), readOptions(updated), 'applying nothing changes nothing');
});

test('values are escaped, not injected as markup', () => {
  const updated = withOptions(generated, { listenAddresses: ['tcp://x</listenAddress><relaysEnabled>true'] });
  assert.deepEqual(readOptions(updated).listenAddresses, ['tcp://x</listenAddress><relaysEnabled>true']);
  assert.equal(readOptions(updated).relaysEnabled, 'true', 'the original relaysEnabled only');
  assert.equal((updated.match(/<relaysEnabled>/g) ?? []).length, 1);
});

test('a file without options is refused', () => {
  assert.throws(() => withOptions('<configuration version="36"></configuration>', { relaysEnabled: false }), SyncthingConfigError);
  assert.throws(() => withOptions('not xml at all', { relaysEnabled: false }), SyncthingConfigError);
});
