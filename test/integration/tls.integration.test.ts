// A real node's TLS: Mozilla "intermediate" (TLS 1.2+, AEAD only), testssl.sh's verdict, and a certificate that follows the hostname.
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import tls from 'node:tls';
import { promisify } from 'node:util';

import { nodeWithAdminForFile, repoDir } from '../support/cloudy-node.ts';

const given = nodeWithAdminForFile();
const execFileAsync = promisify(execFile);

type Handshake = { ok: true; protocol: string; cipher: string; certificate: tls.DetailedPeerCertificate } | { ok: false; error: string };

/** One TLS handshake with the node, as a client limited by `options` (protocol versions, TLS 1.2 cipher list). */
function handshake(options: tls.ConnectionOptions = {}): Promise<Handshake> {
  const { hostname, port } = new URL(given.node.baseUrl);
  return new Promise((resolve) => {
    const socket = tls.connect({ host: hostname, port: Number(port), rejectUnauthorized: false, ...options }, () => {
      resolve({ ok: true, protocol: socket.getProtocol() ?? '', cipher: socket.getCipher().name, certificate: socket.getPeerCertificate(true) });
      socket.end();
    });
    socket.on('error', (error) => resolve({ ok: false, error: error.message }));
  });
}

/** The TLS 1.2 suites OpenSSL's DEFAULT list offers that are CBC (with SHA-1 or SHA-2 MACs): all must be refused. */
const CBC_SUITES = ['ECDHE-ECDSA-AES128-SHA256', 'ECDHE-ECDSA-AES256-SHA384', 'ECDHE-ECDSA-AES128-SHA', 'ECDHE-ECDSA-AES256-SHA', 'AES128-SHA256', 'AES256-SHA'];
const AEAD_SUITES = ['ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-ECDSA-CHACHA20-POLY1305'];

async function assertIntermediateProfile(when: string): Promise<void> {
  // SECLEVEL=0 lets our client offer what OpenSSL 3 would not: the refusal must come from the node.
  for (const version of ['TLSv1', 'TLSv1.1'] as const) {
    const old = await handshake({ minVersion: version, maxVersion: version, ciphers: 'DEFAULT@SECLEVEL=0' });
    assert.ok(!old.ok && /protocol version/.test(old.error), `${when}: ${version} is refused (${JSON.stringify(old)})`);
  }
  for (const cipher of CBC_SUITES) {
    const refused = await handshake({ maxVersion: 'TLSv1.2', ciphers: `${cipher}@SECLEVEL=0` });
    assert.ok(!refused.ok && /handshake failure/.test(refused.error), `${when}: ${cipher} is refused (${JSON.stringify(refused)})`);
  }
  for (const cipher of AEAD_SUITES) {
    const accepted = await handshake({ maxVersion: 'TLSv1.2', ciphers: cipher });
    assert.ok(accepted.ok, `${when}: ${cipher} is accepted`);
    assert.deepEqual([accepted.protocol, accepted.cipher], ['TLSv1.2', cipher]);
  }
  const modern = await handshake();
  assert.ok(modern.ok && modern.protocol === 'TLSv1.3', `${when}: TLS 1.3 by default`);
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest();
const keyPinOf = (certificate: tls.PeerCertificate) => sha256(new X509Certificate(certificate.raw).publicKey.export({ type: 'spki', format: 'der' })).toString('base64url');

/** The Serf tags this node's own agent carries (its Serf name is `<hostname>-<id>`; a renamed node's old name lingers as left). */
async function ownSerfTags(hostname: string): Promise<Record<string, string> | undefined> {
  const agent = JSON.parse(readFileSync(path.join(given.node.root, 'var/lib/cloudy-serf/agent.json'), 'utf8')) as { rpc_addr: string; rpc_auth: string };
  const { stdout } = await execFileAsync('serf', ['members', `-rpc-addr=${agent.rpc_addr}`, `-rpc-auth=${agent.rpc_auth}`, '-format', 'json']);
  const members = (JSON.parse(stdout) as { members: Array<{ name: string; status: string; tags: Record<string, string> }> }).members;
  return members.find((member) => member.status === 'alive' && member.name.startsWith(`${hostname}-`))?.tags;
}

async function waitForOwnPin(hostname: string, pin: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const tags = await ownSerfTags(hostname).catch(() => undefined);
    if (tags?.fp === pin) return;
    assert.ok(Date.now() < deadline, `the node's Serf tags carry the pin ${pin} (now ${JSON.stringify(tags)})\n${given.node.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

test('TLS 1.2 and 1.3 only, and in TLS 1.2 only forward-secret AEAD suites', async () => {
  await assertIntermediateProfile('at start');
});

test('testssl.sh finds no obsolete protocol or CBC suite, and HSTS and the security headers offered', { timeout: 180_000 }, () => {
  const { hostname, port } = new URL(given.node.baseUrl);
  const scratch = mkdtempSync(path.join(tmpdir(), 'cloudy-testssl-'));
  const report = path.join(scratch, 'report.json');
  try {
    // Protocols (-p), cipher categories (-s) and HTTP headers (-h) only: the whole run takes about 15 s.
    const run = spawnSync('testssl', ['--quiet', '--color', '0', '--warnings', 'batch', '-p', '-s', '-h', '--jsonfile', report, `${hostname}:${port}`], { encoding: 'utf8', timeout: 170_000 });
    assert.equal(run.status, 0, `testssl.sh ran (${run.error?.message ?? ''}):\n${run.stdout}\n${run.stderr}`);
    const findings = new Map((JSON.parse(readFileSync(report, 'utf8')) as Array<{ id: string; severity: string; finding: string }>).map((entry) => [entry.id, entry]));
    const finding = (id: string) => findings.get(id)?.finding ?? `(no ${id} in the report)`;
    for (const id of ['SSLv2', 'SSLv3', 'TLS1', 'TLS1_1']) assert.match(finding(id), /^not offered/, `${id}`);
    assert.match(finding('TLS1_2'), /^offered/);
    assert.match(finding('TLS1_3'), /^offered/);
    // testssl.sh 3.0 calls the CBC suites "Obsolete CBC ciphers" (cipherlist_AVERAGE).
    for (const id of ['cipherlist_NULL', 'cipherlist_aNULL', 'cipherlist_EXPORT', 'cipherlist_LOW', 'cipherlist_3DES_IDEA', 'cipherlist_AVERAGE']) assert.match(finding(id), /^not offered/, id);
    assert.match(finding('cipherlist_STRONG'), /^offered/);
    assert.equal(findings.get('HSTS_time')?.severity, 'OK', `HSTS: ${finding('HSTS_time')}`);
    assert.equal(finding('X-Frame-Options'), 'DENY');
    assert.equal(finding('X-Content-Type-Options'), 'nosniff');
    assert.match(finding('Content-Security-Policy'), /frame-ancestors 'none'/);
    const problems = [...findings.values()].filter((entry) => ['MEDIUM', 'HIGH', 'CRITICAL'].includes(entry.severity));
    assert.deepEqual(problems, [], 'nothing rated medium or worse');
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
});

test('after a hostname change the served certificate names the new host, keeps its key, and the pins follow', { timeout: 120_000 }, async () => {
  const before = await handshake();
  assert.ok(before.ok);
  const oldPin = sha256(before.certificate.raw).subarray(0, 12).toString('base64url');
  await waitForOwnPin(String(before.certificate.subject.CN), oldPin);

  assert.equal((await given.session.request('PUT', '/api/node/hostname', { hostname: 'renamed-node' })).status, 204);
  const after = await handshake();
  assert.ok(after.ok);
  assert.equal(after.certificate.subject.CN, 'renamed-node');
  assert.match(after.certificate.subjectaltname ?? '', /DNS:renamed-node/);
  assert.equal(new X509Certificate(after.certificate.raw).checkHost('renamed-node'), 'renamed-node');
  assert.notEqual(after.certificate.fingerprint256, before.certificate.fingerprint256, 'a new certificate');
  assert.equal(keyPinOf(after.certificate), keyPinOf(before.certificate), 'with the same key, so VPN members that pinned the key follow it');
  assert.equal(new X509Certificate(readFileSync(path.join(given.node.root, 'etc/cloudy/tls/cert.pem'))).fingerprint256, after.certificate.fingerprint256, 'the one on disk');

  // The swapped context must keep the profile: Node's setSecureContext resets every option it is not given.
  await assertIntermediateProfile('after the certificate changed');
  await waitForOwnPin('renamed-node', sha256(after.certificate.raw).subarray(0, 12).toString('base64url'));
  const cli = spawnSync('bin/cloudy', ['--root', given.node.root, '--json', 'status'], { cwd: repoDir, encoding: 'utf8', timeout: 60_000 });
  assert.equal(cli.status, 0, `the CLI trusts the new certificate: ${cli.stderr}`);
  assert.equal(JSON.parse(cli.stdout).node.hostname, 'renamed-node');

  assert.equal((await given.session.request('PUT', '/api/node/hostname', { hostname: 'renamed-node' })).status, 204);
  const same = await handshake();
  assert.ok(same.ok && same.certificate.fingerprint256 === after.certificate.fingerprint256, 'the same name again keeps the certificate');
});
