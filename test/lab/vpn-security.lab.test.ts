// The VPN server and member against bad tokens, hostile values in both directions, 1,000 concurrent enrolments,
// and kill -9 of cloudyd or the helper in the middle of a join.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';

import type { MemberView, NetworkState, TokenCreated, VpnStatus } from '../../src/shared/vpn-contract.ts';
import { eventually, installFromMirror, type LabNode, removeRoots, startLabNode } from '../support/lab-node.ts';
import { createLab, type Lab } from '../support/netns-lab.ts';

const agent = new https.Agent({ rejectUnauthorized: false, keepAlive: false, maxSockets: 256 });
const rsaKey = (bits = 1024) => `${generateKeyPairSync('rsa', { modulusLength: bits }).publicKey.export({ type: 'pkcs1', format: 'pem' })}`;

function call(method: string, url: string, body?: unknown): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const request = https.request(url, { method, agent, headers: payload ? { 'content-type': 'application/json' } : {} }, (response) => {
      let text = '';
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text ? JSON.parse(text) : null }));
    });
    request.on('error', reject);
    request.end(payload);
  });
}

/** Every tinc file under a network's directory is whole: no tinc.conf without the host files it names, no cut key. */
function assertNoHalfWrittenFiles(networkDir: string): void {
  if (!existsSync(path.join(networkDir, 'tinc.conf'))) {
    assert.ok(!existsSync(path.join(networkDir, 'hosts')) || readdirSync(path.join(networkDir, 'hosts')).every((name) => readFileSync(path.join(networkDir, 'hosts', name), 'utf8').endsWith('-----END RSA PUBLIC KEY-----\n')));
    return;
  }
  const conf = readFileSync(path.join(networkDir, 'tinc.conf'), 'utf8');
  const self = /^Name = (\S+)$/m.exec(conf)![1]!;
  for (const name of [self, ...[...conf.matchAll(/^ConnectTo = (\S+)$/gm)].map((match) => match[1]!)]) {
    assert.ok(readFileSync(path.join(networkDir, 'hosts', name), 'utf8').endsWith('-----END RSA PUBLIC KEY-----\n'), `hosts/${name} is whole`);
  }
  assert.ok(readFileSync(path.join(networkDir, 'tinc-up'), 'utf8').includes('ip link set'));
}

describe('VPN security and crash safety', { timeout: 900_000, skip: process.getuid?.() !== 0 && 'needs root for network namespaces' }, () => {
  let lab: Lab;
  let server: LabNode;
  let member: LabNode;
  let base: string;
  const enrol = (network: string, body: unknown) => call('POST', `${base}/vpn/v1/networks/${network}/members`, body);
  const token = (network: string, ...args: string[]) => server.cli<TokenCreated>('vpn-server', 'token', 'create', network, ...args);

  before(async () => {
    lab = await createLab(2, { reachableFromHost: true });
    installFromMirror('serf', 'tinc', 'iputils-ping');
    [server, member] = (await Promise.all(lab.hosts.map((host) => startLabNode(lab, host)))) as [LabNode, LabNode];
    base = `https://${lab.hosts[0]!.address}:7443`;
    await server.cli('vpn-server', 'network', 'create', 'alpha', '--subnet', '10.96.0.0/21');
    await server.cli('vpn-server', 'network', 'create', 'beta', '--subnet', '10.95.0.0/24');
  });

  after(async () => {
    await lab?.destroy();
    await removeRoots([server, member]);
  });

  test('expired, reused, withdrawn, forged and wrong-network tokens are rejected; the same key retrying gets its membership back', async () => {
    const single = await token('alpha');
    const key = rsaKey();
    const first = await enrol('alpha', { token: single.token, name: 'one', publicKey: key });
    assert.equal(first.status, 201);
    const retry = await enrol('alpha', { token: single.token, name: 'one', publicKey: key });
    assert.equal(retry.status, 201, 'a retry with the same key after a crash is not a second use');
    assert.equal(retry.body.state.self.address, first.body.state.self.address);
    const reused = await enrol('alpha', { token: single.token, name: 'two', publicKey: rsaKey() });
    assert.deepEqual([reused.status, reused.body.error], [410, 'token_used']);

    const shortLived = await token('alpha', '--expires', '1s');
    await sleep(1500);
    const expired = await enrol('alpha', { token: shortLived.token, name: 'late', publicKey: rsaKey() });
    assert.deepEqual([expired.status, expired.body.error], [410, 'token_expired']);

    const good = await token('alpha', '--uses', '5');
    const [prefix, id, secret, pin] = good.token.split('.') as [string, string, string, string];
    const flipped = `${secret.slice(0, 10)}${secret[10] === 'A' ? 'B' : 'A'}${secret.slice(11)}`;
    for (const forged of [`${prefix}.${id}.${flipped}.${pin}`, `${prefix}.${'0'.repeat(16)}.${secret}.${pin}`]) {
      const answer = await enrol('alpha', { token: forged, name: 'forger', publicKey: rsaKey() });
      assert.deepEqual([answer.status, answer.body.error], [401, 'invalid_token'], forged);
    }
    assert.equal((await enrol('alpha', { token: 'cyvpn1.nope', name: 'forger', publicKey: rsaKey() })).status, 400);
    const withdrawn = await token('alpha', '--uses', '5');
    await server.cli('vpn-server', 'token', 'revoke', 'alpha', withdrawn.token.split('.')[1]!);
    const afterRevoke = await enrol('alpha', { token: withdrawn.token, name: 'too_late', publicKey: rsaKey() });
    assert.deepEqual([afterRevoke.status, afterRevoke.body.error], [410, 'token_revoked']);
    const listed = await server.cli<Array<{ id: string; revoked: boolean }>>('vpn-server', 'token', 'list', 'alpha');
    assert.ok(listed.some((entry) => entry.id === withdrawn.token.split('.')[1] && entry.revoked));
    const wrongNetwork = await enrol('beta', { token: good.token, name: 'sideways', publicKey: rsaKey() });
    assert.deepEqual([wrongNetwork.status, wrongNetwork.body.error], [403, 'wrong_network']);
    const members = await server.cli<MemberView[]>('vpn-server', 'members', 'alpha');
    assert.deepEqual(members.map((entry) => entry.name).sort(), ['h1', 'one']);
  });

  test('a hostile name, key, address or extra field in an enrolment never reaches a file', async () => {
    const good = await token('alpha', '--uses', '20');
    const key = rsaKey();
    const hostile = [
      { name: 'evil\nConnectTo = x', publicKey: key },
      { name: '../../etc/cron.d/x', publicKey: key },
      { name: 'a;reboot', publicKey: key },
      { name: '$(reboot)', publicKey: key },
      { name: 'keyed', publicKey: `${key}Subnet = 0.0.0.0/0\n` },
      { name: 'keyed', publicKey: `Subnet = 10.96.0.1/32\n${key}` },
      { name: 'ended', publicKey: key, endpoint: { host: '10.0.0.1\nSubnet = 0.0.0.0/0', port: 655 } },
      { name: 'ended', publicKey: key, endpoint: { host: '10.0.0.1', port: 655, extra: 1 } },
      { name: 'extra', publicKey: key, subnet: '0.0.0.0/0' },
    ];
    for (const body of hostile) {
      const answer = await enrol('alpha', { token: good.token, ...body });
      assert.equal(answer.status, 400, JSON.stringify(body));
    }
    const hostsDir = path.join(server.root, 'etc/tinc/alpha/hosts');
    await sleep(500);
    assert.deepEqual(readdirSync(hostsDir).sort(), ['h1', 'one']);
    for (const name of readdirSync(hostsDir)) assert.doesNotMatch(readFileSync(path.join(hostsDir, name), 'utf8'), /0\.0\.0\.0|ConnectTo/);
  });

  test('a hostile server or one with another certificate cannot make a member write anything', async () => {
    const scratch = await mkdtemp(path.join(tmpdir(), 'cloudy-fake-vpn-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=fake', '-keyout', path.join(scratch, 'key.pem'), '-out', path.join(scratch, 'cert.pem')], { stdio: 'ignore' });
    const cert = readFileSync(path.join(scratch, 'cert.pem'));
    const pin = Buffer.from(new X509Certificate(cert).fingerprint256.replaceAll(':', ''), 'hex').toString('base64url');
    const bridgeAddress = lab.subnet.replace(/\.0\/24$/, '.254');
    let reply: unknown = null;
    const fake = https.createServer({ key: readFileSync(path.join(scratch, 'key.pem')), cert }, (request, response) => {
      request.resume();
      request.on('end', () => response.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify(reply)));
    });
    await new Promise<void>((resolve) => fake.listen(0, bridgeAddress, resolve));
    const fakeUrl = `https://${bridgeAddress}:${(fake.address() as { port: number }).port}/vpn/v1/networks/fake`;
    const fakeToken = `cyvpn1.${'a'.repeat(16)}.${'s'.repeat(43)}.${pin}`;
    const state = (overrides: Partial<NetworkState>): NetworkState => ({
      version: 1,
      network: { name: 'fake', subnet: '10.94.0.0/24', mode: 'router' },
      self: { name: 'victim', address: '10.94.0.2' },
      peers: [{ name: 'peer', publicKey: rsaKey(), address: '10.94.0.1', endpoint: { host: `${bridgeAddress}`, port: 655 } }],
      connectTo: ['peer'],
      ...overrides,
    });
    try {
      const cases: Array<[string, unknown, RegExp]> = [
        ['a newline in its own name', { memberSecret: 'x'.repeat(43), state: state({ self: { name: 'victim\nConnectTo = evil', address: '10.94.0.2' } }) }, /step "enrol" failed/],
        ['a second Subnet line in a key', { memberSecret: 'x'.repeat(43), state: state({ peers: [{ name: 'peer', publicKey: `${rsaKey()}Subnet = 0.0.0.0/0\n`, address: '10.94.0.1' }] }) }, /step "enrol" failed/],
        ['a script instead of data', { memberSecret: 'x'.repeat(43), state: state({}), script: '#!/bin/sh\nreboot\n' }, /step "enrol" failed/],
        ['a peer outside the subnet', { memberSecret: 'x'.repeat(43), state: state({ peers: [{ name: 'peer', publicKey: rsaKey(), address: '192.168.7.1' }] }) }, /step "config" failed: .*outside/],
        ['a peer named like the member', { memberSecret: 'x'.repeat(43), state: state({ peers: [{ name: 'victim', publicKey: rsaKey(), address: '10.94.0.1' }], connectTo: [] }) }, /step "config" failed: .*twice/],
      ];
      for (const [what, body, expected] of cases) {
        reply = body;
        const result = await member.run('--json', 'vpn', 'join', fakeUrl, fakeToken);
        assert.notEqual(result.code, 0, what);
        assert.match(JSON.parse(result.stdout).error, expected, what);
        const networkDir = path.join(member.root, 'etc/tinc/fake');
        assert.equal(existsSync(path.join(networkDir, 'tinc.conf')), false, what);
        assert.ok(!existsSync(path.join(networkDir, 'hosts')) || readdirSync(path.join(networkDir, 'hosts')).length === 0, what);
        await member.run('vpn', 'leave');
      }
      const otherPin = `cyvpn1.${'a'.repeat(16)}.${'s'.repeat(43)}.${'Q'.repeat(43)}`;
      const mitm = await member.run('--json', 'vpn', 'join', fakeUrl, otherPin);
      assert.match(JSON.parse(mitm.stdout).error, /step "enrol" failed: .*certificate other than the one the join token names/);
    } finally {
      fake.close();
      await rm(scratch, { recursive: true, force: true });
    }
  });

  test('1,000 concurrent enrolments get 1,000 distinct addresses', async () => {
    const many = await token('alpha', '--uses', '1000');
    const keys = Array.from({ length: 1000 }, () => rsaKey(1024));
    const started = Date.now();
    const answers = await Promise.all(keys.map((publicKey, index) => enrol('alpha', { token: many.token, name: `bulk${index}`, publicKey })));
    console.log(`# 1,000 concurrent enrolments answered in ${Date.now() - started} ms`);
    assert.deepEqual([...new Set(answers.map((answer) => answer.status))], [201]);
    const addresses = answers.map((answer) => answer.body.state.self.address as string);
    assert.equal(new Set(addresses).size, 1000);
    const members = await server.cli<MemberView[]>('vpn-server', 'members', 'alpha');
    assert.equal(new Set(members.map((entry) => entry.address)).size, members.length);
    assert.equal(members.length, 1002);
    const over = await enrol('alpha', { token: many.token, name: 'one_too_many', publicKey: rsaKey() });
    assert.equal(over.body.error, 'token_used');
  });

  // Two moments: right after the key exists (before or during enrolment), and while the tinc files are being written.
  for (const [victim, moment] of [['helper', 'rsa_key.priv'], ['cloudyd', 'hosts']] as const) {
    test(`kill -9 of ${victim} once ${moment} exists, in the middle of a join, leaves a working member or a clean retry`, async () => {
      const joinToken = await token('beta', '--uses', '3');
      const networkDir = path.join(member.root, 'etc/tinc/beta');
      const joining = member.run('--json', 'vpn', 'join', joinToken.url, joinToken.token);
      await eventually(`${moment} to appear`, 20_000, async () => (existsSync(path.join(networkDir, moment)) ? true : undefined), 10);
      const state = JSON.parse(readFileSync(path.join(member.root, 'run/cloudy/node.json'), 'utf8')) as { cloudydPid: number; helperPid: number };
      process.kill(victim === 'cloudyd' ? state.cloudydPid : state.helperPid, 'SIGKILL');
      await joining;
      assertNoHalfWrittenFiles(networkDir);
      // Back once the API answers and the helper with it (status says tincd "unknown" while the helper is away).
      const status = await eventually('the node and its helper to answer again', 60_000, async () => {
        const current = await member.cli<VpnStatus>('vpn', 'status').catch(() => undefined);
        return current && current.tincd !== 'unknown' ? current : undefined;
      });
      // Either the node had saved its enrolment and restore() brings it back as a member, or it had not and keeps
      // nothing of the network: wait until it is one or the other, then retry in the second case.
      const settled = await eventually('the membership to be restored or dropped', 20_000, async () => {
        const current = await member.cli<VpnStatus>('vpn', 'status');
        return current.state === 'joined' || current.network === null ? current : undefined;
      }).catch(() => status);
      if (settled.state !== 'joined') {
        const retried = await member.cli<{ state: string; error: string | null }>('vpn', 'join', joinToken.url, joinToken.token);
        assert.equal(retried.state, 'completed', retried.error ?? '');
      }
      await eventually('the member to reach the server over beta', 30_000, async () =>
        (await lab.run(member.host, ['ping', '-n', '-q', '-c', '1', '-W', '1', '10.95.0.1'], { timeoutMs: 5000 })).code === 0 ? true : undefined,
      );
      assertNoHalfWrittenFiles(networkDir);
      const names = (await server.cli<MemberView[]>('vpn-server', 'members', 'beta')).filter((entry) => entry.state === 'active').map((entry) => entry.name);
      assert.equal(names.length, 2, `one membership for the member, not two: ${names.join(' ')}`);
      await member.cli('vpn', 'leave');
      assert.equal(existsSync(networkDir), false);
    });
  }
});
