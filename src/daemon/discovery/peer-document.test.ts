// Unit tests of the peer document: its digest, the certificate pin, and parsing a peer's untrusted list.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';

import { certificatePin, parsePeerDocument, PEER_PROTOCOL, type PeerService, pinOfFingerprint, servicesDigest } from './peer-document.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'cloudy-peer-document-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A throwaway self-signed P-256 certificate, made like the helper makes the node's (argv array, no shell). */
function selfSignedCertificate(name: string): string {
  const out = path.join(dir, `${name}.pem`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', path.join(dir, `${name}.key`), '-out', out, '-days', '1', '-subj', `/CN=${name}`], { stdio: 'pipe' });
  return readFileSync(out, 'utf8');
}

const services: PeerService[] = [
  { type: 'syncthing', description: 'Syncthing h1', port: 22000, txt: { node_id: 'ABC', v: '1' } },
  { type: 'webdav', description: 'Files', port: 8080, txt: {} },
];

const document = (overrides: Record<string, unknown> = {}) => ({
  protocol: PEER_PROTOCOL, nodeId: 'ux5zvta2xz', node: 'h1', microcloud: 'guifi', digest: 'c1fc669753ba', coordinate: null, services, ...overrides,
});

test('servicesDigest: 12 hex digits, the same whatever the order of services and TXT keys', () => {
  const digest = servicesDigest('h1', 'guifi', services);
  assert.match(digest, /^[0-9a-f]{12}$/);
  const reordered = [{ ...services[1]! }, { ...services[0]!, txt: { v: '1', node_id: 'ABC' } }];
  assert.equal(servicesDigest('h1', 'guifi', reordered), digest);
  assert.equal(servicesDigest('h1', 'guifi', []), servicesDigest('h1', 'guifi', []));
});

test('servicesDigest changes with any field of any service, the node name and the microcloud', () => {
  const digest = servicesDigest('h1', 'guifi', services);
  const first = services[0]!;
  const variants: PeerService[][] = [
    [{ ...first, type: 'syncthing2' }, services[1]!],
    [{ ...first, port: 22001 }, services[1]!],
    [{ ...first, description: 'Syncthing h2' }, services[1]!],
    [{ ...first, txt: { node_id: 'ABD', v: '1' } }, services[1]!],
    [{ ...first, txt: { node_id: 'ABC', w: '1' } }, services[1]!],
    [{ ...first, txt: { node_id: 'ABC' } }, services[1]!],
    [first],
    [...services, services[1]!],
  ];
  const digests = new Set([digest, ...variants.map((variant) => servicesDigest('h1', 'guifi', variant)), servicesDigest('h2', 'guifi', services), servicesDigest('h1', 'sants', services)]);
  assert.equal(digests.size, variants.length + 3);
});

test('certificatePin and pinOfFingerprint agree, and two certificates pin differently', () => {
  const pem = selfSignedCertificate('a');
  const pin = certificatePin(pem);
  assert.match(pin, /^[A-Za-z0-9_-]{16}$/);
  assert.equal(certificatePin(Buffer.from(pem)), pin);
  const { fingerprint256 } = new X509Certificate(pem);
  assert.equal(pinOfFingerprint(fingerprint256), pin);
  assert.equal(pin, Buffer.from(fingerprint256.replaceAll(':', ''), 'hex').subarray(0, 12).toString('base64url'));
  assert.notEqual(certificatePin(selfSignedCertificate('b')), pin);
});

test('parsePeerDocument: records take the address we reached the peer at, whatever the list claims', () => {
  const parsed = parsePeerDocument(document({ services: [{ ...services[0], address: '10.66.66.66', nodeId: 'someone-else', node: 'other' }] }), '10.0.0.5');
  assert.deepEqual(parsed, {
    nodeId: 'ux5zvta2xz', node: 'h1', microcloud: 'guifi', digest: 'c1fc669753ba', coordinate: null,
    records: [{ type: 'syncthing', description: 'Syncthing h1', node: 'h1', nodeId: 'ux5zvta2xz', address: '10.0.0.5', port: 22000, microcloud: 'guifi', txt: { node_id: 'ABC', v: '1' } }],
  });
});

test('parsePeerDocument cleans every record and keeps at most 256', () => {
  const hostile = document({
    node: 'evil node\u202e',
    microcloud: 'NOT VALID',
    digest: 'x'.repeat(100),
    services: [
      { type: '_webdav._tcp', description: 'line\nbreak\u200b', port: '8080', txt: { ok: '1', 'bad key': '2' } },
      { type: '../etc', description: 'bad type', port: 1 },
      { type: 'x', port: 70000 },
      null,
      'a string',
    ],
  });
  const parsed = parsePeerDocument(hostile, '10.0.0.5');
  assert.equal(parsed?.node, 'evil-node');
  assert.equal(parsed?.microcloud, '');
  assert.equal(parsed?.digest.length, 32);
  assert.deepEqual(parsed?.records.map((record) => [record.type, record.description, record.port, record.txt]), [['webdav', 'line break', 8080, { ok: '1' }]]);
  const many = Array.from({ length: 300 }, (_, index) => ({ type: 'bulk', description: `n${index}`, port: index + 1, txt: {} }));
  const capped = parsePeerDocument(document({ services: many }), '10.0.0.5');
  assert.equal(capped?.records.length, 256);
  assert.deepEqual([capped?.records[0]?.port, capped?.records[255]?.port], [1, 256]);
});

test('parsePeerDocument refuses what is not a Cloudy document', () => {
  for (const raw of [null, 'text', 7, [], document({ protocol: 2 }), document({ protocol: '1' }), document({ nodeId: undefined }), document({ nodeId: 42 }), document({ nodeId: '' }), document({ nodeId: '\u200b' }), document({ services: 'x' }), document({ services: undefined })]) {
    assert.equal(parsePeerDocument(raw, '10.0.0.5'), null, JSON.stringify(raw));
  }
  assert.deepEqual(parsePeerDocument(document({ services: [] }), '10.0.0.5')?.records, []);
});

test('parsePeerDocument keeps a sound coordinate and drops a malformed one (not the document)', () => {
  const vec = [0.001, -0.002, 0, 0, 0, 0, 0, 0];
  const good = { vec, error: 1.5, adjustment: -0.0001, height: 0.00001 };
  assert.deepEqual(parsePeerDocument(document({ coordinate: good }), '10.0.0.5')?.coordinate, good);
  const bad = [
    { ...good, error: Number.NaN },
    { ...good, height: Number.POSITIVE_INFINITY },
    { ...good, adjustment: 1e7 },
    { ...good, vec: [...vec.slice(1), 1e9] },
    { ...good, vec: Array.from({ length: 17 }, () => 0) },
    { ...good, vec: [...vec.slice(1), '0'] },
    { ...good, vec: 'x' },
    { vec, error: 1, adjustment: 0 },
    'coordinate',
  ];
  for (const coordinate of bad) {
    const parsed = parsePeerDocument(document({ coordinate }), '10.0.0.5');
    assert.ok(parsed, 'the document itself is kept');
    assert.equal(parsed.coordinate, null, JSON.stringify(coordinate));
  }
  assert.deepEqual(parsePeerDocument(document({ coordinate: { ...good, vec: Array.from({ length: 16 }, () => 0) } }), '10.0.0.5')?.coordinate?.vec.length, 16);
});
