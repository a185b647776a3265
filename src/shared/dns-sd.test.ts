// DNS-SD rules of the mDNS backend: type names, TXT decoding, advert checks, conflict renaming.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { checkAdvert, decodeTxt, dnsSdType, MdnsAdvertError, parseServiceType, renamed, type MdnsAdvert } from './dns-sd.ts';

const bytes = (...strings: (string | number[])[]) => strings.map((s) => (typeof s === 'string' ? Buffer.from(s) : Uint8Array.from(s)));
const advert: MdnsAdvert = { name: 'Syncthing on h1', type: 'syncthing', protocol: 'tcp', port: 22000, txt: { node_id: 'ABC' } };

test('short types map to DNS-SD service types and back', () => {
  assert.equal(dnsSdType('syncthing', 'tcp'), '_syncthing._tcp');
  assert.equal(dnsSdType('tahoe-lafs', 'udp'), '_tahoe-lafs._udp');
  assert.deepEqual(parseServiceType('_Syncthing._TCP.local.'), { type: 'syncthing', protocol: 'tcp' });
  assert.deepEqual(parseServiceType('_device-info._tcp.local'), { type: 'device-info', protocol: 'tcp' });
  for (const junk of ['_<script>._tcp.local', '_x._sctp.local', '_printer._sub._ipp._tcp.local', 'syncthing._tcp.local', '_a._tcp.example.org']) {
    assert.equal(parseServiceType(junk), undefined, junk);
  }
});

test('TXT: key=value, boolean keys, first occurrence wins, the empty placeholder and binary junk are skipped', () => {
  assert.deepEqual(decodeTxt(bytes('node_id=ABC', 'path=/a=b', 'flag', 'empty=')), { node_id: 'ABC', path: '/a=b', flag: '', empty: '' });
  assert.deepEqual(decodeTxt(bytes('')), {});
  assert.deepEqual(decodeTxt(bytes('a=1', 'A=2', 'a=3')), { a: '1' });
  assert.deepEqual(decodeTxt(bytes('=nokey', [0x6b, 0x3d, 0xff, 0xfe], [0x62, 0x3d, 0x00, 0x01], 'ok=ü\ttab')), { ok: 'ü\ttab' });
  assert.deepEqual(decodeTxt(bytes(`big=${'x'.repeat(200)}`)).big?.length, 200);
});

test('adverts are checked field by field', () => {
  checkAdvert(advert);
  checkAdvert({ ...advert, name: '<script>alert(1)</script>', txt: { big: 'x'.repeat(200), motd: 'two\nlines' } });
  const refused: [Partial<MdnsAdvert>, RegExp][] = [
    [{ name: '' }, /name is 0 bytes/],
    [{ name: 'é'.repeat(32) }, /name is 64 bytes/],
    [{ name: 'tab\there' }, /control characters/],
    [{ type: '_syncthing' }, /type must be/],
    [{ type: 'x' }, /type must be/],
    [{ protocol: 'sctp' as 'tcp' }, /protocol must be/],
    [{ port: 70000 }, /port must be/],
    [{ txt: { 'a=b': '1' } }, /without "="/],
    [{ txt: { Key: '1', key: '2' } }, /appears twice/],
    [{ txt: { k: 'x'.repeat(254) } }, /longer than 255 bytes/],
  ];
  for (const [change, message] of refused) assert.throws(() => checkAdvert({ ...advert, ...change }), (error: Error) => error instanceof MdnsAdvertError && message.test(error.message));
});

test('conflict renaming appends " (n)" and stays within 63 bytes without splitting a character', () => {
  assert.equal(renamed('Syncthing on h1', 1), 'Syncthing on h1');
  assert.equal(renamed('Syncthing on h1', 2), 'Syncthing on h1 (2)');
  const long = renamed('ü'.repeat(31), 12);
  assert.ok(Buffer.byteLength(long) <= 63);
  assert.equal(long, `${'ü'.repeat(29)} (12)`);
});
