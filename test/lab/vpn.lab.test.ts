// A VPN server and four members, each a full node in its own network namespace: members join with tokens, ping
// each other over tinc, a late member is reachable without restarts, a dead member cuts no one off, a revoked one is cut
// off, and a server that changes its hostname keeps its members (they follow its reissued certificate by its key).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import type { LogLine } from '../../src/shared/api-contract.ts';
import type { ServiceRecord } from '../../src/shared/discovery-contract.ts';
import { type MemberView, TINC_RECORD_TYPE, type TokenCreated, VPN_SERVER_RECORD_TYPE, type VpnStatus } from '../../src/shared/vpn-contract.ts';
import { eventually, installFromMirror, type LabNode, removeRoots, startLabNode } from '../support/lab-node.ts';
import { createLab, type Lab } from '../support/netns-lab.ts';

const overlayAddress = (status: VpnStatus) => status.address!.split('/')[0]!;

/** `PUT /api/node/hostname` with the node's CLI token, run inside its namespace (the CLI has no command for it). */
const RENAME_SCRIPT = `
const [host, port, tokenFile, hostname] = process.argv.slice(1);
const body = JSON.stringify({ hostname });
const token = require('node:fs').readFileSync(tokenFile, 'utf8').trim();
const headers = { authorization: 'Bearer ' + token, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
require('node:https').request({ host, port, method: 'PUT', path: '/api/node/hostname', rejectUnauthorized: false, headers }, (response) => {
  response.resume();
  response.on('end', () => process.exit(response.statusCode === 204 ? 0 : 1));
}).end(body);`;

/** The node's view of the network and tincd's own (SIGUSR2 dumps its nodes, edges and subnets into its log). */
async function printOverlayState(node: LabNode): Promise<void> {
  const status = await node.cli<VpnStatus>('vpn', 'status').catch((error: Error) => error.message);
  if (typeof status !== 'string' && status.tincdPid) process.kill(status.tincdPid, 'SIGUSR2');
  await new Promise((resolve) => setTimeout(resolve, 300));
  const log = await node.cli<LogLine[]>('vpn', 'logs').catch(() => []);
  console.log(`# ${node.host.name} status: ${JSON.stringify(status)}`);
  for (const line of log.slice(-120)) console.log(`# ${node.host.name} tincd: ${line.time} ${line.text}`);
  for (const line of node.process.output().split('\n').filter((text) => text.includes('vpn:')).slice(-30)) console.log(`# ${node.host.name} cloudyd: ${line}`);
}

describe('overlay network across five lab hosts', { timeout: 900_000, skip: process.getuid?.() !== 0 && 'needs root for network namespaces' }, () => {
  let lab: Lab;
  let server: LabNode;
  let members: LabNode[] = [];
  const addresses = new Map<LabNode, string>();
  let usedToken: TokenCreated;

  const pings = async (from: LabNode, to: string) => (await lab.run(from.host, ['ping', '-n', '-q', '-c', '1', '-W', '1', to], { timeoutMs: 5000 })).code === 0;
  /** Waits until `from` pings `to` over the overlay; when it never does, prints what both tincd know before failing. */
  const reaches = async (from: LabNode, to: LabNode, timeoutMs: number, what = `${from.host.name} → ${to.host.name} over the overlay`, intervalMs?: number) => {
    try {
      await eventually(what, timeoutMs, async () => ((await pings(from, addresses.get(to)!)) ? true : undefined), intervalMs);
    } catch (error) {
      for (const node of [from, to]) await printOverlayState(node);
      throw error;
    }
  };
  const joinWith = async (node: LabNode, token: TokenCreated) => {
    const started = Date.now();
    const operation = await node.cli<{ state: string; error: string | null }>('vpn', 'join', token.url, token.token);
    assert.equal(operation.state, 'completed', operation.error ?? '');
    const status = await node.cli<VpnStatus>('vpn', 'status');
    addresses.set(node, overlayAddress(status));
    return Date.now() - started;
  };

  before(async () => {
    lab = await createLab(5);
    installFromMirror('serf', 'tinc', 'iputils-ping');
    const nodes = await Promise.all(lab.hosts.map((host) => startLabNode(lab, host)));
    server = nodes[0]!;
    members = nodes.slice(1);
  });

  after(async () => {
    await lab?.destroy();
    await removeRoots([server, ...members]);
  });

  test('the server creates a network, joins it itself and issues a token whose URL names its community address', async () => {
    const network = await server.cli('vpn-server', 'network', 'create', 'community', '--subnet', '10.99.0.0/24');
    assert.equal(network.name, 'community');
    assert.equal(network.members, 1);
    const status = await server.cli<VpnStatus>('vpn', 'status');
    assert.equal(status.address, '10.99.0.1/24');
    assert.equal(status.interface, 'community');
    addresses.set(server, '10.99.0.1');
    const log = await eventually('tincd to log that it is ready', 10_000, async () => {
      const lines = await server.cli<LogLine[]>('vpn', 'logs');
      return lines.some((line) => /Ready/.test(line.text)) ? lines : undefined;
    });
    assert.ok(log.some((line) => /tincd .* starting/.test(line.text)), JSON.stringify(log.slice(0, 5)));
  });

  test('three members join with one three-use token and every member pings every other over the overlay', async () => {
    const token = await server.cli<TokenCreated>('vpn-server', 'token', 'create', 'community', '--uses', '3', '--expires', '1h');
    assert.ok(token.url.startsWith(`https://${lab.hosts[0]!.address}:7443/`), token.url);
    for (const node of members.slice(0, 3)) console.log(`# ${node.host.name} join → first peer answered: ${await joinWith(node, token)} ms`);
    const overlay = members.slice(0, 3).map((node) => addresses.get(node)!);
    assert.equal(new Set(overlay).size, 3, `distinct addresses: ${overlay.join(' ')}`);
    for (const from of [server, ...members.slice(0, 3)]) {
      for (const to of [server, ...members.slice(0, 3)]) {
        if (from === to) continue;
        // Generous under load: member to member goes through the meta graph until tinc's UDP path is up.
        await reaches(from, to, 30_000);
      }
    }
    const status = await members[0]!.cli<VpnStatus>('vpn', 'status');
    assert.equal(status.peers.length, 3);
    assert.ok(status.peers.every((peer) => peer.reachable), JSON.stringify(status.peers));
    const listed = await server.cli<MemberView[]>('vpn-server', 'members', 'community');
    assert.equal(listed.filter((member) => member.state === 'active').length, 4);
  });

  test('the server and the running memberships are published: members find the server in Search', async () => {
    const [m1] = members as [LabNode];
    const server_ = await eventually('the vpn-server record on m1', 30_000, async () =>
      (await m1.cli<ServiceRecord[]>('search', VPN_SERVER_RECORD_TYPE)).find((record) => record.address === lab.hosts[0]!.address),
    );
    assert.equal(server_.txt.networks, 'community');
    assert.equal(server_.port, 7443);
    const tinc = await eventually('three tincvpn records on m1', 30_000, async () => {
      const records = (await m1.cli<ServiceRecord[]>('search', TINC_RECORD_TYPE)).filter((record) => record.txt.network === 'community');
      return records.length >= 3 ? records : undefined;
    });
    assert.ok(tinc.every((record) => record.port === 655));
  });

  test('a fourth member joins later and the first three reach it within seconds, without restarting tincd', async () => {
    const tincdPids = async () => Promise.all(members.slice(0, 3).map(async (node) => (await node.cli<VpnStatus>('vpn', 'status')).tincdPid));
    const pidsBefore = await tincdPids();
    assert.ok(pidsBefore.every((pid) => typeof pid === 'number'), JSON.stringify(pidsBefore));
    const token = await server.cli<TokenCreated>('vpn-server', 'token', 'create', 'community');
    usedToken = token;
    await joinWith(members[3]!, token);
    const started = Date.now();
    for (const from of members.slice(0, 3)) {
      await reaches(from, members[3]!, 10_000, `${from.host.name} → m4`, 100);
    }
    console.log(`# the first three reach the late member ${Date.now() - started} ms after its join returned`);
    assert.deepEqual(await tincdPids(), pidsBefore, 'the same tincd processes, reloaded with SIGHUP');
  });

  test('killing one member leaves the others connected', async () => {
    const [m1, m2, m3, m4] = members as [LabNode, LabNode, LabNode, LabNode];
    await m2.killAll();
    for (const [from, to] of [[m1, m3], [m3, m4], [m4, m1], [server, m3]] as const) {
      await reaches(from, to, 15_000, `${from.host.name} → ${to.host.name} with m2 dead`);
    }
  });

  test('revoking a member cuts it off: nobody answers it, its files are gone, and a used-up token cannot bring it back', async () => {
    const [m1, , m3] = members as [LabNode, LabNode, LabNode];
    const m1Name = (await m1.cli<VpnStatus>('vpn', 'status')).name!;
    await server.cli('vpn-server', 'revoke', 'community', m1Name);
    await eventually('m1 to learn it was revoked', 15_000, async () => ((await m1.cli<VpnStatus>('vpn', 'status')).state === 'revoked' ? true : undefined));
    await eventually('m3 to stop answering m1', 15_000, async () => ((await pings(m3, addresses.get(m1)!)) ? undefined : true));
    assert.equal(await pings(m1, addresses.get(m3)!), false);
    assert.equal(existsSync(path.join(m1.root, 'etc/tinc/community')), false, 'the revoked member removed its tinc files and key');
    const retry = await m1.run('--json', 'vpn', 'join', usedToken.url, usedToken.token);
    assert.notEqual(retry.code, 0);
    assert.match(retry.stdout, /step \\"enrol\\" failed: The join token has already been used/);
    const audit = await server.cli<Array<{ event: string; member: string }>>('vpn-server', 'audit', 'community');
    assert.ok(audit.some((entry) => entry.event === 'revoked' && entry.member === m1Name));
  });

  test('the server changes its hostname: members follow its reissued certificate by its key; old tokens stop working', async () => {
    const [, , m3, m4] = members as [LabNode, LabNode, LabNode, LabNode];
    const rename = [process.execPath, '-e', RENAME_SCRIPT, lab.hosts[0]!.address, '7443', path.join(server.root, 'var/lib/cloudy/cli-token'), 'renamed-server'];
    const renamed = await lab.run(server.host, rename, { timeoutMs: 30_000 });
    assert.equal(renamed.code, 0, renamed.stderr);
    // The next long-poll of each member (within 25 s) meets the new certificate.
    for (const member of [m3, m4]) {
      await eventually(`${member.host.name} to follow the new certificate`, 40_000, async () => (/reissued its certificate with the same key/.test(member.process.output()) ? true : undefined), 500);
      assert.equal((await member.cli<VpnStatus>('vpn', 'status')).state, 'joined');
    }
    // Changes still reach them over the re-pinned long-poll.
    const m3Name = (await m3.cli<VpnStatus>('vpn', 'status')).name!;
    await server.cli('vpn-server', 'revoke', 'community', m3Name);
    await eventually('m3 to learn it was revoked after the rename', 15_000, async () => ((await m3.cli<VpnStatus>('vpn', 'status')).state === 'revoked' ? true : undefined));
    // A token issued before the rename pins the old certificate (decision AF).
    const stale = await members[0]!.run('--json', 'vpn', 'join', usedToken.url, usedToken.token);
    assert.notEqual(stale.code, 0);
    assert.match(stale.stdout, /presented a certificate other than the one the join token names/);
  });
});
