// Values from untrusted agents: names cleaned and cut, OIDs ordered as numbers, table indexes and Counter64 bytes checked.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { columnIndex, counter64, displayString, NAME_LENGTH, oidFollows, parseOid } from './snmp-values.ts';

test('names lose control and bidi characters and are cut to 64 characters', () => {
  assert.equal(displayString(Buffer.from('eth0\u0000\n\u001b[31m')), 'eth0[31m');
  assert.equal(displayString(Buffer.from('wlan\u202e0')), 'wlan0');
  assert.equal(displayString(Buffer.from('  br-lan \t')), 'br-lan');
  assert.equal(displayString(Buffer.from('x'.repeat(10_000))).length, NAME_LENGTH);
  assert.equal(Array.from(displayString(Buffer.from('ñ'.repeat(100)))).length, NAME_LENGTH, 'cut between characters');
  assert.equal(displayString(Buffer.from([0x65, 0x74, 0x68, 0xff, 0x30])), 'eth\ufffd0', 'bad UTF-8 is replaced, not dropped');
  assert.equal(displayString('Torre de l’Escola'), 'Torre de l’Escola');
});

test('OIDs compare as numbers, not as text', () => {
  assert.ok(oidFollows('1.3.6.1.2.1.2.2.1.2.9', '1.3.6.1.2.1.2.2.1.2.10'));
  assert.ok(oidFollows('1.3.6.1.2.1.2.2.1.2', '1.3.6.1.2.1.2.2.1.2.1'));
  assert.ok(!oidFollows('1.3.6.1.2.1.2.2.1.2.10', '1.3.6.1.2.1.2.2.1.2.10'), 'the same OID does not follow itself');
  assert.ok(!oidFollows('1.3.6.1.2.1.2.2.1.2.10', '1.3.6.1.2.1.2.2.1.2.9'));
  assert.ok(!oidFollows('1.3.6', 'not.an.oid'));
  assert.equal(parseOid('1.3.6.99999999999'), null);
  assert.deepEqual(parseOid('1.3.6.1'), [1, 3, 6, 1]);
});

test('a column index is one positive sub-identifier under the column', () => {
  const ifDescr = '1.3.6.1.2.1.2.2.1.2';
  assert.equal(columnIndex(ifDescr, `${ifDescr}.7`), 7);
  assert.equal(columnIndex(ifDescr, `${ifDescr}.7.1`), null);
  assert.equal(columnIndex(ifDescr, `${ifDescr}0.7`), null, 'ifDescr is not a prefix of column 20');
  assert.equal(columnIndex(ifDescr, `${ifDescr}.0`), null);
  assert.equal(columnIndex(ifDescr, `${ifDescr}.4294967295`), null, 'above 2^31-1');
});

test('Counter64 bytes, with and without the sign byte; longer ones are refused', () => {
  assert.equal(counter64(Buffer.from([0x01, 0x00])), 256n);
  assert.equal(counter64(Buffer.from([0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])), 2n ** 64n - 1n);
  assert.equal(counter64(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])), 2n ** 64n - 1n, 'unsigned even without the sign byte');
  assert.equal(counter64(Buffer.from([0x01, 0, 0, 0, 0, 0, 0, 0, 0])), null, 'above 2^64-1');
  assert.equal(counter64(Buffer.alloc(0)), null);
  assert.equal(counter64(Buffer.alloc(40)), null);
});
