// Two Cloudy nodes with the community proxy in a lab: h3 finds h2's proxy in Search and, on the owner's click, forwards
// through it; when h2 dies, h3's members still get their pages, directly and at once. h1 is the web server.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import type { ServiceRecord } from '../../src/shared/discovery-contract.ts';
import { eventually, installFromMirror, type LabNode, removeRoots, startLabNode } from '../support/lab-node.ts';
import { createLab, type Lab, type LabHost } from '../support/netns-lab.ts';
import { PanelSession } from '../support/panel-session.ts';

const PROXY_PORT = 3128;

describe('proxy3 chaining through a proxy found by discovery', { timeout: 600_000 }, () => {
  let lab: Lab;
  let h1: LabHost;
  let h2: LabNode;
  let h3: LabNode;
  let session3: PanelSession;
  const www = mkdtempSync(path.join(os.tmpdir(), 'proxy3-chain-www-'));

  /** curl from h1 through h3's proxy: the status, the Via header and the time taken. */
  async function fetchFromH1(query: string): Promise<{ status: number; via: string; seconds: number }> {
    const result = await lab.run(h1, ['curl', '-s', '-m', '30', '-D', '-', '-o', '/dev/null', '-w', '%{http_code} %{time_total}', '-x', `http://${h3.host.address}:${PROXY_PORT}`, `http://${h1.address}:8000/?${query}`], { timeoutMs: 40_000 });
    const [status, seconds] = result.stdout.trim().split('\n').at(-1)!.split(' ');
    return { status: Number(status), seconds: Number(seconds), via: /^Via: (.*)$/im.exec(result.stdout)?.[1]?.trim() ?? '' };
  }

  async function runProxy(node: LabNode): Promise<void> {
    await node.cli('module', 'install', 'proxy3');
    await node.cli('module', 'configure', 'proxy3', `port=${PROXY_PORT}`, 'authentication=none', `clientSubnets=${lab.subnet}`);
    await node.cli('module', 'start', 'proxy3');
  }

  before(async () => {
    // Lab hosts cannot reach Debian's mirror: the node's `module install` finds squid installed.
    installFromMirror('serf', 'squid');
    lab = await createLab(3, { namePrefix: 'pxc', reachableFromHost: true });
    h1 = lab.hosts[0]!;
    writeFileSync(path.join(www, 'index.html'), 'hello from h1\n');
    lab.spawn(h1, ['python3', '-m', 'http.server', '--bind', '0.0.0.0', '--directory', www, '8000']);
    [h2, h3] = (await Promise.all(lab.hosts.slice(1).map((host) => startLabNode(lab, host)))) as [LabNode, LabNode];
    await h3.cli('discovery', 'configure', `joinAddresses=${h2.host.address}:7946`);
    await Promise.all([runProxy(h2), runProxy(h3)]);
    session3 = new PanelSession(`https://${h3.host.address}:7443`);
    assert.equal((await session3.setup(readFileSync(path.join(h3.root, 'etc/cloudy/setup-code'), 'utf8').trim())).status, 200);
  });

  after(async () => {
    await lab?.destroy();
    await removeRoots([h2, h3].filter(Boolean));
    rmSync(www, { recursive: true, force: true });
  });

  test('h3 finds h2’s proxy and, on the owner’s click, forwards through it; with h2 dead, pages still come, directly', async () => {
    assert.equal((await fetchFromH1('alone')).via.includes('h2'), false, 'before: h3 goes direct');
    const record = await eventually('h3 finds h2’s proxy', 60_000, async () =>
      ((await h3.cli('search', 'http-proxy')) as ServiceRecord[]).find((entry) => entry.node === 'h2' && entry.port === PROXY_PORT),
    );
    const view = await session3.request('POST', '/api/discovery/actions', { module: 'proxy3', action: 'use-as-upstream', key: record.key, mode: 'do' });
    assert.equal(view.status, 200, JSON.stringify(view.body));
    assert.equal(view.body.state, 'done');
    assert.deepEqual((await h3.cli('module', 'show', 'proxy3')).config.parents, [`${h2.host.address}:${PROXY_PORT}`]);

    const chained = await fetchFromH1('chained');
    assert.equal(chained.status, 200);
    assert.match(chained.via, /h2 \(squid\).*h3 \(squid\)/, 'through h2, then h3');

    // This node's own apt can download through it too, and stop again.
    const aptFile = path.join(h3.root, 'etc/apt/apt.conf.d/80cloudy-proxy3-upstream');
    const apt = (mode: 'do' | 'undo') => session3.request('POST', '/api/discovery/actions', { module: 'proxy3', action: 'apt-upstream', key: record.key, mode });
    assert.equal((await apt('do')).body.state, 'done');
    assert.match(readFileSync(aptFile, 'utf8'), new RegExp(`^Acquire::http::Proxy "http://${h2.host.address.replaceAll('.', '\\.')}:${PROXY_PORT}/";$`, 'm'));
    assert.equal((await apt('undo')).body.state, 'available');
    assert.equal(existsSync(aptFile), false);

    await h2.killAll();
    for (const attempt of [1, 2, 3]) {
      const alone = await fetchFromH1(`dead-parent-${attempt}`);
      assert.equal(alone.status, 200);
      assert.doesNotMatch(alone.via, /h2/);
      assert.ok(alone.seconds < 2, `a dead parent is skipped, not waited on (${alone.seconds} s)`);
    }
  });
});
