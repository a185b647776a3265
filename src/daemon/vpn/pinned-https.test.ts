// Pinned HTTPS: the certificate's pin, or the key's pin for a certificate reissued with the same key, and nothing else.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { X509Certificate } from 'node:crypto';

import { PinnedRequestError, pinnedJson, serverPins, type ServerPins } from './pinned-https.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'cloudy-pinned-https-'));

/** A self-signed P-256 certificate as the helper makes it; `key` reuses an existing key file, as a reissue does. */
function certificate(name: string, key?: string): { key: string; cert: string } {
  const keyFile = key ?? path.join(dir, `${name}.key`);
  const certFile = path.join(dir, `${name}.pem`);
  const keyArgs = key ? ['-key', key] : ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', keyFile];
  execFileSync('openssl', ['req', '-x509', ...keyArgs, '-out', certFile, '-days', '1', '-subj', `/CN=${name}`], { stdio: 'pipe' });
  return { key: keyFile, cert: readFileSync(certFile, 'utf8') };
}

const original = certificate('original');
const reissued = certificate('renamed', original.key);
const stranger = certificate('stranger');
let server: https.Server;
let url: string;

before(async () => {
  server = https.createServer({ key: readFileSync(original.key), cert: original.cert }, (_request, response) => {
    response.setHeader('content-type', 'application/json');
    response.end('{"ok":true}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/state`;
});
after(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

const pinsOf = (pem: string) => serverPins(new X509Certificate(pem).raw);
const serve = (pair: { key: string; cert: string }) => server.setSecureContext({ key: readFileSync(pair.key), cert: pair.cert });

test('the pins are the SHA-256 of the certificate and of its public key; a reissue keeps the key pin only', () => {
  const fingerprint = new X509Certificate(original.cert).fingerprint256.replaceAll(':', '');
  assert.equal(pinsOf(original.cert).pin, Buffer.from(fingerprint, 'hex').toString('base64url'));
  assert.equal(pinsOf(reissued.cert).keyPin, pinsOf(original.cert).keyPin);
  assert.notEqual(pinsOf(reissued.cert).pin, pinsOf(original.cert).pin);
  assert.notEqual(pinsOf(stranger.cert).keyPin, pinsOf(original.cert).keyPin);
});

test('the certificate pin is accepted and the presented pins are reported', async () => {
  serve(original);
  let presented: ServerPins | null = null;
  assert.deepEqual(await pinnedJson({ url, pin: pinsOf(original.cert).pin, method: 'GET', timeoutMs: 5000, onTrusted: (pins) => (presented = pins) }), { ok: true });
  assert.deepEqual(presented, pinsOf(original.cert));
});

test('a certificate reissued with the same key passes on the key pin, not on the old certificate pin alone', async () => {
  serve(reissued);
  const old = pinsOf(original.cert);
  await assert.rejects(pinnedJson({ url, pin: old.pin, method: 'GET', timeoutMs: 5000 }), (error: PinnedRequestError) => error.code === 'certificate_mismatch');
  let presented: ServerPins | null = null;
  assert.deepEqual(await pinnedJson({ url, pin: old.pin, keyPin: old.keyPin, method: 'GET', timeoutMs: 5000, onTrusted: (pins) => (presented = pins) }), { ok: true });
  assert.deepEqual(presented, pinsOf(reissued.cert), 'the member learns the new certificate pin');
});

test('another key is refused whatever pins are given', async () => {
  serve(stranger);
  const old = pinsOf(original.cert);
  let trusted = false;
  await assert.rejects(
    pinnedJson({ url, pin: old.pin, keyPin: old.keyPin, method: 'GET', timeoutMs: 5000, onTrusted: () => (trusted = true) }),
    (error: PinnedRequestError) => error.code === 'certificate_mismatch',
  );
  assert.equal(trusted, false);
});
