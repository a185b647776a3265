// Unit tests of discovery settings: defaults from start options, field-by-field validation of updates, the community endpoint.
import assert from 'node:assert/strict';
import net from 'node:net';
import os from 'node:os';
import { test } from 'node:test';

import type { DiscoverySettings } from '../../shared/discovery-contract.ts';
import { ApiError } from '../api-error.ts';
import { communityEndpoint, defaultSettings, isLoopback, validateSettingsUpdate } from './discovery-settings.ts';

const current: DiscoverySettings = defaultSettings({ serfRpcPort: 7373 });
const localIpv4 = () => Object.values(os.networkInterfaces()).flat().filter((entry) => entry?.family === 'IPv4').map((entry) => entry!.address);
/** An IPv4 address (documentation ranges first) that no interface of this machine has. */
const foreignAddress = () => ['203.0.113.77', '198.51.100.77', '192.0.2.177', '10.254.253.252'].find((address) => !localIpv4().includes(address))!;

/** The per-field sentences of the 400 the update is refused with. */
function fieldErrors(update: Record<string, unknown>): Record<string, string> {
  try {
    validateSettingsUpdate(current, update);
  } catch (error) {
    assert.ok(error instanceof ApiError, `expected an ApiError, got ${String(error)}`);
    assert.equal(error.statusCode, 400);
    assert.equal(error.code, 'invalid_settings');
    return error.fields ?? {};
  }
  assert.fail(`${JSON.stringify(update)} was accepted`);
}

test('defaultSettings: the contract defaults, overridden by the start options', () => {
  assert.deepEqual(current, { communityAddress: '', serfPort: 7946, joinAddresses: [], microcloud: 'guifi', encryptKey: '', serfProfile: 'lan', mdns: true, legacyTag: true });
  const started = defaultSettings({ communityAddress: '10.1.1.1', serfPort: 8000, serfRpcPort: 7373 });
  assert.equal(started.communityAddress, '10.1.1.1');
  assert.equal(started.serfPort, 8000);
  assert.equal(started.microcloud, 'guifi');
  assert.equal('serfRpcPort' in started, false, 'the RPC port is not a user setting');
});

test('microcloud: lowercase letters, digits and - only', () => {
  for (const microcloud of ['Guifi', 'my cloud', '-x', '', 'a'.repeat(33), 'sants_bcn']) {
    assert.match(fieldErrors({ microcloud }).microcloud ?? '', /Microcloud/, `microcloud ${JSON.stringify(microcloud)}`);
  }
});

test('encryptKey: empty or base64 of 16, 24 or 32 bytes', () => {
  for (const encryptKey of ['abc', 'A'.repeat(23) + '=', 'A'.repeat(44), 'A'.repeat(32) + '==', '!'.repeat(24)]) {
    assert.match(fieldErrors({ encryptKey }).encryptKey ?? '', /Gossip encryption key/, `key ${encryptKey}`);
  }
  for (const bytes of [16, 24, 32]) {
    assert.equal(validateSettingsUpdate(current, { encryptKey: Buffer.alloc(bytes, 7).toString('base64') }).encryptKey.length > 0, true);
  }
});

test('joinAddresses: hosts or host:port, no shell text, ports ≤ 65535, at most 32', () => {
  const sentence = (joinAddresses: unknown) => fieldErrors({ joinAddresses }).joinAddresses ?? '';
  assert.match(sentence(['10.0.0.1;reboot']), /"10\.0\.0\.1;reboot" is not an address/);
  assert.match(sentence(['10.0.0.2', '$(reboot)']), /"\$\(reboot\)"/);
  assert.match(sentence(['node.example:70000']), /node\.example:70000/);
  assert.match(sentence(['10.0.0.1 10.0.0.2']), /not an address/);
  assert.match(sentence(['']), /Join addresses/);
  assert.match(sentence(Array.from({ length: 33 }, (_, index) => `10.0.0.${index + 1}`)), /at most 32/);
  assert.match(sentence('10.0.0.1'), /Join addresses/);
  assert.match(sentence([7]), /Join addresses/);
  const accepted = validateSettingsUpdate(current, { joinAddresses: Array.from({ length: 32 }, (_, index) => `10.0.0.${index + 1}:7946`) });
  assert.equal(accepted.joinAddresses.length, 32);
});

test('serfPort, profile and switches: their own sentences', () => {
  assert.match(fieldErrors({ serfPort: 80 }).serfPort ?? '', /Gossip port must be a whole number from 1024 to 65535/);
  assert.match(fieldErrors({ serfPort: 65536 }).serfPort ?? '', /1024 to 65535/);
  assert.match(fieldErrors({ serfPort: '7946' }).serfPort ?? '', /Gossip port/);
  assert.match(fieldErrors({ serfProfile: 'fast' }).serfProfile ?? '', /lan, wan, local/);
  assert.match(fieldErrors({ mdns: 'yes' }).mdns ?? '', /on or off/);
});

test('an unknown key is named; every bad field gets its sentence at once; nothing is merged on error', () => {
  assert.match(fieldErrors({ bogus: 1 }).bogus ?? '', /bogus is not a discovery setting/);
  const before = structuredClone(current);
  const fields = fieldErrors({ microcloud: 'Bad', serfPort: 80, encryptKey: 'x', joinAddresses: ['a;b'], bogus: true, communityAddress: 'not-an-ip' });
  assert.deepEqual(Object.keys(fields).sort(), ['bogus', 'communityAddress', 'encryptKey', 'joinAddresses', 'microcloud', 'serfPort']);
  assert.deepEqual(current, before, 'the current settings are untouched');
});

test('communityAddress must be an address of this machine (or empty)', () => {
  const foreign = foreignAddress();
  const sentence = fieldErrors({ communityAddress: foreign }).communityAddress ?? '';
  assert.match(sentence, new RegExp(`${foreign.replaceAll('.', '\\.')} is not an address of this node`));
  assert.match(sentence, /127\.0\.0\.1/, 'the sentence lists the addresses it has');
  assert.equal(validateSettingsUpdate(current, { communityAddress: '127.0.0.1' }).communityAddress, '127.0.0.1');
  assert.equal(validateSettingsUpdate({ ...current, communityAddress: '127.0.0.1' }, { communityAddress: '' }).communityAddress, '');
  assert.match(fieldErrors({ communityAddress: '::1' }).communityAddress ?? '', /Community address/);
});

test('a good update is merged over the current settings', () => {
  const next = validateSettingsUpdate(current, { microcloud: 'sants', serfPort: 7947, joinAddresses: ['10.0.0.1', 'node.example:7946'], mdns: false, serfProfile: 'wan' });
  assert.deepEqual(next, { ...current, microcloud: 'sants', serfPort: 7947, joinAddresses: ['10.0.0.1', 'node.example:7946'], mdns: false, serfProfile: 'wan' });
  assert.deepEqual(validateSettingsUpdate(current, {}), current);
});

test('communityEndpoint: a configured address and the interface that has it', () => {
  assert.deepEqual(communityEndpoint('127.0.0.1'), { address: '127.0.0.1', interface: 'lo' });
  assert.deepEqual(communityEndpoint(foreignAddress()), { address: foreignAddress(), interface: '' });
});

test('communityEndpoint without a configured address: an IPv4 address of a named interface of this machine', () => {
  const endpoint = communityEndpoint('');
  assert.ok(net.isIPv4(endpoint.address), endpoint.address);
  assert.ok(endpoint.interface.length > 0);
  const owners = os.networkInterfaces()[endpoint.interface] ?? [];
  assert.ok(owners.some((entry) => entry.address === endpoint.address) || endpoint.address === '127.0.0.1', `${endpoint.address} is on ${endpoint.interface}`);
  const nonLoopback = localIpv4().filter((address) => !isLoopback(address));
  if (nonLoopback.length > 0) assert.equal(isLoopback(endpoint.address), false, 'a machine with a network address does not bind to loopback');
  assert.equal(isLoopback('127.3.2.1'), true);
  assert.equal(isLoopback('10.127.0.1'), false);
});
