// A 2015 getinconf-client node enrols with a Cloudy VPN server: the request exactly as the 2015 client sent it (md5
// path, hand-made multipart with `rsakeypub`), the script it runs as root, and a tincd started from those files that
// reaches the server over the overlay. Off by default (403), and hostile path values never reach the script.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import type { MemberView, NetworkView } from '../../src/shared/vpn-contract.ts';
import { eventually, installFromMirror, type LabNode, removeRoots, startLabNode } from '../support/lab-node.ts';
import { createLab, type Lab, type LabHost } from '../support/netns-lab.ts';

const NETWORK = 'guifi';
const BOUNDARY = '-----02CAFFEEBABE';

describe('2015 getinconf-client enrolment', { timeout: 600_000, skip: process.getuid?.() !== 0 && 'needs root for network namespaces' }, () => {
  let lab: Lab;
  let server: LabNode;
  let oldHost: LabHost;
  let scratch: string;
  let mac: string;
  let publicKeyFile: string;

  /** What getinconf-client's call_wget posts: its multipart body, with the malformed closing boundary it really sends. */
  const post = async (urlPath: string, keyText: string | null) => {
    const bodyFile = path.join(scratch, 'body');
    const body = keyText === null ? '' : `\n--${BOUNDARY}\nContent-Disposition: form-data; name="rsakeypub"; filename=rsakeypub\nContent-Type: text/plain\n\n${keyText}\n\n--${BOUNDARY}- -`;
    await writeFile(bodyFile, body);
    const url = `https://${lab.hosts[0]!.address}:7443${urlPath}`;
    const args = ['-sk', '-o', '-', '-w', '\n%{http_code}', '-H', `Content-Type: multipart/form-data; boundary=${BOUNDARY}`, ...(keyText === null ? [] : ['--data-binary', `@${bodyFile}`]), url];
    const result = await lab.run(oldHost, ['curl', ...args], { timeoutMs: 20_000 });
    const at = result.stdout.lastIndexOf('\n');
    return { status: Number(result.stdout.slice(at + 1)), text: result.stdout.slice(0, at) };
  };
  const hashFor = (key: string) => createHash('md5').update(`${mac}${key}${NETWORK}`).digest('hex');
  const get2 = (hash: string, name = 'old-node.guifi', ip = lab.hosts[1]!.address, port = '665') => `/nodes/get2/${hash}/${NETWORK}/${mac.replaceAll(':', '-')}/${name}/${ip}/${port}/1`;

  before(async () => {
    lab = await createLab(2);
    installFromMirror('serf', 'tinc', 'iputils-ping', 'curl');
    oldHost = lab.hosts[1]!;
    server = await startLabNode(lab, lab.hosts[0]!);
    scratch = await mkdtemp(path.join(tmpdir(), 'cloudy-legacy-'));
    mac = execFileSync('ip', ['-n', oldHost.netns, '-o', 'link', 'show', 'eth0'], { encoding: 'utf8' }).match(/link\/ether ([0-9a-f:]{17})/)![1]!.toUpperCase();
    // The 2015 client ran `tincd -K` in /etc/tinc without a Name: rsa_key.priv and rsa_key.pub side by side.
    execFileSync('tincd', ['-c', scratch, '-K', '2048'], { stdio: 'ignore', input: '' });
    publicKeyFile = path.join(scratch, 'rsa_key.pub');
    await server.cli('vpn-server', 'network', 'create', NETWORK, '--subnet', '10.98.0.0/24');
  });

  after(async () => {
    await lab?.destroy();
    await removeRoots([server]);
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  test('off by default: the 2015 request gets 403, and the panel shows no key', async () => {
    const network = (await server.cli<NetworkView[]>('vpn-server', 'network', 'list'))[0]!;
    assert.equal(network.legacyEnrolment, false);
    assert.equal(network.legacyKey, '');
    const answer = await post(get2('0'.repeat(32)), await readFile(publicKeyFile, 'utf8'));
    assert.equal(answer.status, 403);
    assert.doesNotMatch(answer.text, /#!\/bin\//);
  });

  test('turned on, the 2015 request yields the 2015 script, and its files run a tincd that reaches the server', async () => {
    const { legacyKey } = await server.cli<NetworkView>('vpn-server', 'legacy', NETWORK, 'on');
    assert.match(legacyKey, /^[0-9a-f]{24}$/);
    assert.equal((await post(get2(hashFor('wrong key')), await readFile(publicKeyFile, 'utf8'))).status, 405, 'a hash made with another key');

    const answer = await post(get2(hashFor(legacyKey)), await readFile(publicKeyFile, 'utf8'));
    assert.equal(answer.status, 200, answer.text);
    const script = answer.text;
    assert.match(script, /^#!\/bin\/sh\n/);
    assert.match(script, /\n# End Of Script\.\n$/);
    assert.match(script, /^Name=old_node_guifi$/m, 'names had - and . turned into _');
    assert.match(script, /^ConnectTo=h1$/m);
    assert.match(script, /^PrivateKeyFile=\/etc\/tinc\/rsa_key\.priv$/m);
    assert.match(script, /^ip -4 addr add 10\.98\.0\.2\/24 dev \\\$INTERFACE$/m);
    const tincConf = /tinc\.conf <<EOF\n([^]*?)\nEOF/.exec(script)![1]!;
    assert.doesNotMatch(tincConf, /^Port=/m, 'port 665 is the 2015 default marker: no Port line in tinc.conf');
    assert.match(script, /^Port=655$/m, "the server node's host file names tinc's real port");
    assert.match(script, /^Subnet=10\.98\.0\.1\/32$/m);
    assert.match(script, /^Address=10\.\d+\.\d+\.1$/m, "the server node's host file has its address");

    // Run it as the client did (`sh -c "$CONFIG"`), with /etc/tinc moved into the scratch dir, inside the old host.
    const relocated = script.replaceAll('/etc/tinc', scratch);
    const ran = await lab.run(oldHost, ['sh', '-c', relocated], { timeoutMs: 10_000 });
    assert.equal(ran.code, 0, ran.stderr);
    const tinc = lab.spawn(oldHost, ['tincd', '-c', path.join(scratch, NETWORK), '-D', '-d1', `--pidfile=${path.join(scratch, 'tinc.pid')}`]);
    await eventually('the old node to ping the server over the overlay', 20_000, async () =>
      (await lab.run(oldHost, ['ping', '-n', '-q', '-c', '1', '-W', '1', '10.98.0.1'], { timeoutMs: 5000 })).code === 0 ? true : undefined,
    );
    await eventually('the server to ping the old node', 10_000, async () =>
      (await lab.run(lab.hosts[0]!, ['ping', '-n', '-q', '-c', '1', '-W', '1', '10.98.0.2'], { timeoutMs: 5000 })).code === 0 ? true : undefined,
    );
    await tinc.stop();

    const members = await server.cli<MemberView[]>('vpn-server', 'members', NETWORK);
    const old = members.find((member) => member.name === 'old_node_guifi')!;
    assert.equal(old.invitedBy, 'legacy');
    assert.equal(old.endpoint, `${lab.hosts[1]!.address}:655`);

    // The hourly cron asks again: same node, same address, no second member.
    const again = await post(get2(hashFor(legacyKey)), await readFile(publicKeyFile, 'utf8'));
    assert.equal(again.status, 200);
    assert.match(again.text, /^ip -4 addr add 10\.98\.0\.2\/24/m);
    assert.equal((await server.cli<MemberView[]>('vpn-server', 'members', NETWORK)).length, 2);
  });

  test('hostile values in the path or the key field are refused before anything is generated', async () => {
    const { legacyKey } = await server.cli<NetworkView>('vpn-server', 'legacy', NETWORK, 'on');
    const key = await readFile(publicKeyFile, 'utf8');
    const refused = [
      get2(hashFor(legacyKey), 'evil;reboot'),
      get2(hashFor(legacyKey), '$(reboot)'),
      get2(hashFor(legacyKey), 'node', '10.0.0.1;reboot'),
      get2(hashFor(legacyKey), 'node', '0', '99999'),
      `/nodes/get2/${hashFor(legacyKey)}/${NETWORK}/${mac.replaceAll(':', '-')}/node/0/665/1/extra%0ASubnet=0.0.0.0%2F0`,
      `/nodes/get2/${hashFor(legacyKey)}/..%2F..%2Fetc/${mac.replaceAll(':', '-')}/node/0/665/1`,
    ];
    for (const urlPath of refused) {
      const answer = await post(urlPath, key);
      assert.ok(answer.status >= 400 && answer.status < 500, `${urlPath} → ${answer.status}`);
      assert.doesNotMatch(answer.text, /#!\/bin\//, urlPath);
    }
    const withSubnet = await post(get2(hashFor(legacyKey), 'fresh'), `${key.trim()}\nSubnet=0.0.0.0/0\n`);
    assert.equal(withSubnet.status, 400);
    const names = (await server.cli<MemberView[]>('vpn-server', 'members', NETWORK)).map((member) => member.name);
    assert.deepEqual(names.sort(), ['h1', 'old_node_guifi']);
  });
});
