// Unit tests of service-record cleaning: types, text, node names, ports, addresses, TXT and whole records from untrusted peers.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { cleanAddress, cleanMicrocloud, cleanNodeId, cleanNodeName, cleanPort, cleanRecord, cleanText, cleanTxt, formatTxtPairs, parseTxtPairs, recordKey, shortType } from './service-record.ts';

/** A lone (unpaired) UTF-16 surrogate: what a cut inside an emoji leaves behind. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

test('shortType accepts the DNS-SD and the 2015 spellings and nothing else', () => {
  assert.equal(shortType('_syncthing._tcp'), 'syncthing');
  assert.equal(shortType('_syncthing._tcp.local'), 'syncthing');
  assert.equal(shortType('_x._udp.local.'), 'x');
  assert.equal(shortType('Syncthing'), 'syncthing');
  assert.equal(shortType('tahoe-lafs'), 'tahoe-lafs');
  assert.equal(shortType('a'.repeat(32)), 'a'.repeat(32));
  for (const bad of ['../../etc', 'a'.repeat(33), `_${'a'.repeat(79)}._tcp`, '', '-x', 'web dav', 'x_y', '_x._sctp', 42, null, undefined, ['x']]) {
    assert.equal(shortType(bad), null, `${JSON.stringify(bad)} is not a service type`);
  }
});

test('cleanText: control, bidi and zero-width characters out, one line, trimmed', () => {
  assert.equal(cleanText('a\u0000b\u0007c\u007fd\u0085e', 50), 'a b c d e');
  assert.equal(cleanText('evil\u202Egnp.exe', 50), 'evil gnp.exe');
  assert.equal(cleanText('\u2066x\u2069\u200by\u200fz\ufeff', 50), 'x y z');
  assert.equal(cleanText('  line one\nline two\r\n\tthree  ', 50), 'line one line two three');
  assert.equal(cleanText('a\u2028b\u2029c', 50), 'a b c');
  assert.equal(cleanText(22000, 50), '22000');
  assert.equal(cleanText({ toString: () => 'x' }, 50), '');
  assert.equal(cleanText(null, 50), '');
});

test('cleanText: zero-width and bidi marks outside the C0/C1 blocks are removed too', () => {
  assert.equal(cleanText('a\u2060b', 50), 'a b', 'U+2060 WORD JOINER is zero-width');
  assert.equal(cleanText('a\u061cb', 50), 'a b', 'U+061C ARABIC LETTER MARK is a bidi control');
});

test('cleanText cuts at max code points, never inside a surrogate pair', () => {
  assert.equal(cleanText('abcdef', 3), 'abc');
  assert.equal(cleanText('😀😀😀😀', 3), '😀😀😀');
  assert.equal(cleanText('ab😀cd', 3), 'ab😀');
  // Padding that collapses away puts the emoji exactly on the first cut (max × 4 UTF-16 units).
  for (const padding of ['\u200b', ' ', '\u0001']) {
    const text = cleanText(padding.repeat(4 * 10 - 1) + '😀', 10);
    assert.doesNotMatch(text, LONE_SURROGATE, `padding ${JSON.stringify(padding)} left half an emoji: ${JSON.stringify(text)}`);
  }
  assert.doesNotMatch(cleanText('x'.repeat(9) + '😀'.repeat(5), 10), LONE_SURROGATE);
  assert.equal(cleanText('a\ud800b\udc00c', 10), 'a b c', 'halves of a pair sent on their own are not text');
  assert.equal([...cleanText('😀'.repeat(1000), 120)].length, 120);
});

test('cleanNodeName keeps a readable host-name-like label', () => {
  assert.equal(cleanNodeName('h1.guifi'), 'h1.guifi');
  assert.equal(cleanNodeName('my node!'), 'my-node');
  assert.equal(cleanNodeName('..-x-..'), 'x');
  assert.equal(cleanNodeName('<script>'), 'script');
  assert.equal(cleanNodeName('ñandú'), 'and');
  assert.equal(cleanNodeName(''), 'unknown');
  assert.equal(cleanNodeName(undefined), 'unknown');
  assert.equal(cleanNodeName('a'.repeat(100)).length, 63);
});

test('cleanNodeId and cleanMicrocloud', () => {
  assert.equal(cleanNodeId('serf:old node/x'), 'serf:old-node-x');
  assert.equal(cleanNodeId(''), '');
  assert.equal(cleanNodeId('x'.repeat(200)).length, 80);
  assert.equal(cleanMicrocloud('Guifi'), 'guifi');
  assert.equal(cleanMicrocloud('sants-bcn'), 'sants-bcn');
  assert.equal(cleanMicrocloud('my cloud'), '');
  assert.equal(cleanMicrocloud(7), '');
});

test('cleanPort: integers 0–65535, also as digit strings', () => {
  const cases: Array<[unknown, number | null]> = [
    [0, 0], [65535, 65535], [65536, null], ['22000', 22000], ['022', 22], ['0', 0], ['65536', null], ['123456', null],
    [-1, null], ['-1', null], [1.5, null], ['1.5', null], [Number.NaN, null], [Number.POSITIVE_INFINITY, null], [' 22', null], ['', null], [null, null], [true, null],
  ];
  for (const [input, expected] of cases) assert.equal(cleanPort(input), expected, `cleanPort(${JSON.stringify(input)})`);
});

test('cleanAddress: IPv4, IPv6, mapped IPv4 unwrapped, junk refused', () => {
  assert.equal(cleanAddress('10.1.2.3'), '10.1.2.3');
  assert.equal(cleanAddress('::1'), '::1');
  assert.equal(cleanAddress('2001:db8::7'), '2001:db8::7');
  assert.equal(cleanAddress('::ffff:10.1.2.3'), '10.1.2.3');
  for (const bad of ['10.1.2.256', '10.1.2', 'host.example', '10.1.2.3 ', '10.1.2.3\n', '$(reboot)', `${'1'.repeat(46)}`, '', 167772161, null]) {
    assert.equal(cleanAddress(bad), null, `${JSON.stringify(bad)} is not an address`);
  }
});

test('cleanTxt keeps at most 16 well-formed entries with one-line values', () => {
  const txt = cleanTxt({ ok: 'v', 'bad key': 'x', _x: 'y', '': 'z', n: 5, b: true, o: {}, arr: [1], nul: null, multi: 'a\nb', 'k.e_y-1': 'w' });
  assert.deepEqual(txt, { ok: 'v', n: '5', b: 'true', multi: 'a b', 'k.e_y-1': 'w' });
  const many = Object.fromEntries(Array.from({ length: 30 }, (_, index) => [`k${index}`, String(index)]));
  const kept = cleanTxt(many);
  assert.equal(Object.keys(kept).length, 16);
  assert.deepEqual(Object.keys(kept), Array.from({ length: 16 }, (_, index) => `k${index}`));
  assert.equal(cleanTxt({ big: 'x'.repeat(1_000_000) }).big?.length, 255);
  assert.equal(cleanTxt({ ['k'.repeat(33)]: 'x' })['k'.repeat(33)], undefined);
  for (const notAnObject of [null, 'a=1', ['a'], 5]) assert.deepEqual(cleanTxt(notAnObject), {});
});

test('parseTxtPairs reads both 2015 separators; formatTxtPairs writes what it reads back', () => {
  assert.deepEqual(parseTxtPairs('a=1 b=2'), { a: '1', b: '2' });
  assert.deepEqual(parseTxtPairs('a=1&b=2'), { a: '1', b: '2' });
  assert.deepEqual(parseTxtPairs('  a=1 &  b=x=y  flag  =junk '), { a: '1', b: 'x=y', flag: '' });
  assert.deepEqual(parseTxtPairs(''), {});
  const txt = { node_id: 'MFZWI3D-BONSGYC-YLTMRWG-C43ENR5-QXGZDMM-FZWI3DP-BONSGYY-LTMRWAD', path: '/dav', n: '3' };
  assert.equal(formatTxtPairs(txt), `node_id=${txt.node_id} path=/dav n=3`);
  assert.deepEqual(parseTxtPairs(formatTxtPairs(txt)), txt);
  assert.deepEqual(parseTxtPairs(formatTxtPairs(txt).replace(/ /g, '&')), txt);
  assert.equal(formatTxtPairs({ d: 'two words\there' }), 'd=two_words_here');
});

test('cleanRecord refuses records without a usable type, address, port or node id', () => {
  const good = { type: '_webdav._tcp', description: 'Files', node: 'h1', nodeId: 'abc', address: '10.0.0.1', port: '8080', microcloud: 'Guifi', txt: { path: '/' } };
  assert.deepEqual(cleanRecord(good), { type: 'webdav', description: 'Files', node: 'h1', nodeId: 'abc', address: '10.0.0.1', port: 8080, microcloud: 'guifi', txt: { path: '/' } });
  assert.equal(cleanRecord({ ...good, type: undefined }), null);
  assert.equal(cleanRecord({ ...good, type: '../x' }), null);
  assert.equal(cleanRecord({ ...good, address: 'h1.local' }), null);
  assert.equal(cleanRecord({ ...good, address: undefined }), null);
  assert.equal(cleanRecord({ ...good, port: 70000 }), null);
  assert.equal(cleanRecord({ ...good, port: undefined }), null);
  assert.equal(cleanRecord({ ...good, nodeId: '' }), null);
  const sparse = cleanRecord({ type: 'x', address: '10.0.0.2', port: 0, nodeId: 'n' });
  assert.deepEqual(sparse, { type: 'x', description: 'x', node: 'unknown', nodeId: 'n', address: '10.0.0.2', port: 0, microcloud: '', txt: {} });
  assert.equal(recordKey(sparse!), 'n/x/0');
});
