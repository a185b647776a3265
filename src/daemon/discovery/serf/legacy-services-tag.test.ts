// The 2015 `services` tag: byte-compatible with the real bzip2/base64 tools, and safe against hostile peers.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

import { decodeLegacyServicesTag, encodeLegacyServicesTag, LegacyTagError, type LegacyService } from './legacy-services-tag.ts';

/** Runs a real tool with an argv array (no shell) and returns its stdout; fails the test on a non-zero exit. */
function run(command: string, args: string[], input: Uint8Array | string): Buffer {
  const result = spawnSync(command, args, { input, maxBuffer: 256 * 1024 * 1024 });
  assert.equal(result.status, 0, `${command} ${args.join(' ')} failed: ${result.stderr?.toString()}`);
  return result.stdout;
}

const realBzip2Base64 = (text: string | Uint8Array) => run('bzip2', [], text).toString('base64');

const syncthing: LegacyService = {
  s: 'syncthing',
  d: 'Syncthing_device',
  m: 'h1.guifi.local',
  i: '10.1.2.3',
  p: '22000',
  e: 'eth0',
  t: 'node_id=MFZWI3D-BONSGYC-YLTMRWG-C43ENR5-QXGZDMM-FZWI3DP-BONSGYY-LTMRWAD',
};
const proxy: LegacyService = { s: 'proxy3', d: 'Proxy_de_Guifi', m: 'h1.guifi.local', i: '10.1.2.3', p: '3128', e: 'eth0', t: '' };

function assertRefused(value: string, pattern: RegExp, limits?: Parameters<typeof decodeLegacyServicesTag>[1]): void {
  assert.throws(() => decodeLegacyServicesTag(value, limits), { name: LegacyTagError.name, message: pattern });
}

test('a list survives encode and decode unchanged, including non-ASCII text', () => {
  const services = [syncthing, proxy, { ...proxy, d: 'Càmera_de_l’Ateneu\t"1"\\', p: '8080', t: 'a=1' }];
  assert.deepEqual(decodeLegacyServicesTag(encodeLegacyServicesTag(services)), services);
  assert.deepEqual(decodeLegacyServicesTag(encodeLegacyServicesTag([])), []);
});

test('decodes the exact value a 2015 node makes (printf … | bzip2 | base64 -w0), with or without echo’s newline', () => {
  const json = '[{"s":"legacytype","d":"Legacy_probe_2015","m":"old.guifi.local","i":"10.77.0.1","p":"8099","e":"demo","t":""}]';
  const expected = [{ s: 'legacytype', d: 'Legacy_probe_2015', m: 'old.guifi.local', i: '10.77.0.1', p: '8099', e: 'demo', t: '' }];
  assert.deepEqual(decodeLegacyServicesTag(run('base64', ['-w0'], run('bzip2', [], json)).toString()), expected);
  assert.deepEqual(decodeLegacyServicesTag(realBzip2Base64(`${json}\n`)), expected);
});

test('our value decodes with the real base64 -d | bunzip2 to the JSON in the plug-in’s key order', () => {
  const reordered = { t: proxy.t, p: proxy.p, s: proxy.s, e: proxy.e, d: proxy.d, i: proxy.i, m: proxy.m };
  const value = encodeLegacyServicesTag([syncthing, reordered]);
  const json = run('bzip2', ['-d'], run('base64', ['-d'], value)).toString('utf8');
  assert.equal(json, JSON.stringify([syncthing, proxy]));
  assert.match(json, /^\[\{"s":"syncthing","d":"Syncthing_device","m":"h1\.guifi\.local","i":"10\.1\.2\.3","p":"22000","e":"eth0","t":/);
});

test('writes spaces, apostrophes and TXT pairs the way 2015 nodes can read them', () => {
  const wordy = { ...proxy, d: "Proxy de l'Ateneu", e: 'eth 0', t: 'a=1  b=2 c=3' };
  const [written] = decodeLegacyServicesTag(encodeLegacyServicesTag([wordy]));
  assert.deepEqual(written, { ...proxy, d: 'Proxy_de_l’Ateneu', e: 'eth_0', t: 'a=1&b=2&c=3' });
});

test('refuses values that are not base64, not bzip2, truncated or far too long', () => {
  assertRefused('not base64!', /not base64/);
  assertRefused('QUJD\nREVG', /not base64/);
  assertRefused('', /not valid bzip2/);
  assertRefused(Buffer.from('hello, old node').toString('base64'), /not valid bzip2/);
  const whole = run('bzip2', [], JSON.stringify([syncthing, proxy]));
  // Without its last 10 bytes (end-of-stream marker and stream CRC) the data block itself is still whole.
  assertRefused(whole.subarray(0, whole.length - 10).toString('base64'), /not valid bzip2/);
  assertRefused(whole.subarray(0, whole.length - 1).toString('base64'), /not valid bzip2/);
  assertRefused(whole.subarray(0, 20).toString('base64'), /not valid bzip2/);
  const corrupted = Buffer.from(whole);
  corrupted[40] = (corrupted[40] ?? 0) ^ 0xff;
  assertRefused(corrupted.toString('base64'), /not valid bzip2/);
  assertRefused('A'.repeat(4100), /4100 characters long/);
});

test('a bzip2 bomb (50 MB of zeros in 81 bytes) is refused fast without allocating its output', () => {
  const bomb = realBzip2Base64(Buffer.alloc(50_000_000));
  assert.ok(bomb.length < 200, 'the bomb fits in a Serf tag');
  const rssBefore = process.memoryUsage().rss;
  const started = performance.now();
  assertRefused(bomb, /more than 65536 bytes.*bzip2 bomb/);
  assert.ok(performance.now() - started < 1000, 'refused within a second');
  assert.ok(process.memoryUsage().rss - rssBefore < 32 * 1024 * 1024, 'far less memory than the 50 MB it expands to');
});

test('refuses text that is not UTF-8, not JSON, or JSON that is not an array', () => {
  assertRefused(realBzip2Base64(Buffer.from([0x5b, 0xff, 0xfe, 0x5d])), /not decompress to UTF-8/);
  assertRefused(realBzip2Base64('[{"s":'), /does not hold JSON/);
  assertRefused(realBzip2Base64(JSON.stringify({ s: 'syncthing' })), /not an array/);
  assertRefused(realBzip2Base64('"services"'), /not an array/);
});

test('skips entries that are not objects or carry odd fields, and turns numbers into strings', () => {
  const hostile = [
    1,
    'syncthing',
    null,
    [proxy],
    { ...proxy, s: { nested: true } },
    { ...proxy, d: ['a'] },
    { ...proxy, t: null },
    { ...proxy, e: undefined },
    { ...proxy, d: 'x'.repeat(5000) },
    { ...proxy, p: 3128, extra: { deep: [1, 2, 3] } },
    syncthing,
  ];
  assert.deepEqual(decodeLegacyServicesTag(realBzip2Base64(JSON.stringify(hostile))), [proxy, syncthing]);
  assert.deepEqual(decodeLegacyServicesTag(realBzip2Base64('[{"s":"a","d":"b","m":"c","i":"d","p":1e999,"e":"f","t":""}]')), []);
  assert.deepEqual(decodeLegacyServicesTag(realBzip2Base64(`${'['.repeat(30_000)}${']'.repeat(30_000)}`)), []);
});

test('10,000 entries are refused by the default caps, and come back capped to maxEntries under roomier ones', () => {
  const many = Array.from({ length: 10_000 }, (_, index) => ({ ...proxy, p: String(index) }));
  const value = realBzip2Base64(JSON.stringify(many));
  assertRefused(value, /characters long/);
  assertRefused(value, /more than 65536 bytes/, { maxValueChars: 64 * 1024 });
  const roomy = { maxValueChars: 64 * 1024, maxDecodedBytes: 2 * 1024 * 1024 };
  assert.equal(decodeLegacyServicesTag(value, roomy).length, 256);
  assert.deepEqual(decodeLegacyServicesTag(value, { ...roomy, maxEntries: 3 }), many.slice(0, 3));
});
