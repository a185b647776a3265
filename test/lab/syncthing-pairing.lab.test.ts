// Two lab hosts with Syncthing, in a real browser: on h1 "Connect to this device" on h2's row, accept on h2,
// then a file put in h1's shared folder appears on h2.
import assert from 'node:assert/strict';
import { chownSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import type { Browser, Page } from 'playwright-core';

import { byTestId, launchChromium, newPanelContext, ScreenshotBook, visible } from '../e2e/browser-harness.ts';
import { expectAccessible, logIn } from '../e2e/discovery-steps.ts';
import { eventually, installFromMirror, type LabNode, removeRoots, startLabNode } from '../support/lab-node.ts';
import { createLab, type Lab } from '../support/netns-lab.ts';
import { PanelSession } from '../support/panel-session.ts';

const PASSWORD = 'correct horse battery';
const SHARED = 'srv/cloudy/syncthing/shared';

interface Side {
  node: LabNode;
  baseUrl: string;
  session: PanelSession;
  page?: Page;
}

async function prepare(node: LabNode): Promise<Side> {
  const baseUrl = `https://${node.host.address}:7443`;
  const session = new PanelSession(baseUrl);
  const setup = await session.setup(readFileSync(path.join(node.root, 'etc/cloudy/setup-code'), 'utf8').trim(), 'admin', PASSWORD);
  assert.equal(setup.status, 200, JSON.stringify(setup.body));
  await node.cli('module', 'install', 'syncthing');
  await node.cli('module', 'configure', 'syncthing', `deviceName=${node.host.name}`);
  await node.cli('module', 'start', 'syncthing');
  return { node, baseUrl, session };
}

/** The Search row of the other node's Syncthing, on the Syncthing tab. */
async function peerRow(page: Page, peer: string) {
  await (await visible(page, 'search-tab-syncthing', 30_000)).click();
  // The node cell's own text, exactly: device IDs in the TXT column may contain the name's letters too.
  const row = page.locator('[data-testid="service-row"][data-type="syncthing"]', { has: page.locator('[data-testid="service-node"] .cell > span:first-child', { hasText: new RegExp(`^${peer}$`) }) });
  await row.waitFor({ state: 'visible', timeout: 30_000 });
  return row;
}

describe('Syncthing paired through Search, in the browser', { timeout: 600_000, skip: process.getuid?.() !== 0 && 'needs root for network namespaces' }, () => {
  let lab: Lab;
  let browser: Browser;
  let h1: Side;
  let h2: Side;
  let shots: ScreenshotBook;

  before(async () => {
    installFromMirror('serf', 'syncthing');
    lab = await createLab(2, { reachableFromHost: true });
    const nodes = (await Promise.all(lab.hosts.map((host) => startLabNode(lab, host)))) as [LabNode, LabNode];
    await nodes[1].cli('discovery', 'configure', `joinAddresses=${lab.hosts[0]!.address}:7946`);
    [h1, h2] = (await Promise.all(nodes.map(prepare))) as [Side, Side];
    browser = await launchChromium();
    shots = new ScreenshotBook('syncthing-pairing');
    for (const side of [h1, h2]) {
      side.page = await (await newPanelContext(browser)).newPage();
      await logIn(side.page, side.baseUrl, 'admin', PASSWORD);
    }
  });

  after(async () => {
    await browser?.close();
    await lab?.destroy();
    await removeRoots([h1?.node, h2?.node]);
  });

  test('h1 connects to h2 from its Search page; h2 accepts; both show Connected', async () => {
    const page1 = h1.page!;
    await page1.goto(`${h1.baseUrl}/#/search`);
    const row = await peerRow(page1, 'h2');
    await row.locator('[data-testid="consume-do"]').click();
    await row.locator('[data-testid="consume-waiting"], [data-testid="consume-done"]').first().waitFor({ timeout: 20_000 });
    await shots.take(page1, 'h1-waiting-for-h2');

    const page2 = h2.page!;
    await page2.bringToFront();
    await page2.goto(`${h2.baseUrl}/#/search`);
    const request = await visible(page2, 'incoming-request', 60_000);
    assert.match((await byTestId(page2, 'incoming-request-text').textContent()) ?? '', /h1/);
    await shots.take(page2, 'h2-incoming-request');
    await expectAccessible(page2, 'syncthing-pairing-request');
    await request.locator('[data-testid="incoming-request-accept"]').click();
    await (await peerRow(page2, 'h1'))
      .locator('[data-testid="consume-done"]')
      .waitFor({ timeout: 60_000 })
      .catch(async (error: Error) => {
        const views = await h2.session.request('GET', '/api/discovery/actions?type=syncthing');
        throw new Error(`${error.message}\nh2's actions: ${JSON.stringify(views.body)}`);
      });
    // Back on h1's page, which noticed nothing itself: it asks again while its row says "waiting".
    await page1.bringToFront();
    await row
      .locator('[data-testid="consume-done"]')
      .waitFor({ timeout: 60_000 })
      .catch(async (error: Error) => {
        await shots.take(page1, 'h1-not-connected');
        const views = await h1.session.request('GET', '/api/discovery/actions?type=syncthing');
        throw new Error(`${error.message}\nh1's actions: ${JSON.stringify(views.body)}`);
      });
    await shots.take(page1, 'h1-connected');
    await shots.take(page2, 'h2-connected');
  });

  test('a file put in h1’s shared folder appears on h2', async () => {
    const name = `hello-${Date.now()}.txt`;
    const content = `written on h1 at ${new Date().toISOString()}\n`;
    const source = path.join(h1.node.root, SHARED, name);
    writeFileSync(source, content);
    const owner = os.userInfo().uid === 0 ? readFileSync('/etc/passwd', 'utf8').split('\n').find((line) => line.startsWith('cloudy-syncthing:'))?.split(':') : undefined;
    if (owner) chownSync(source, Number(owner[2]), Number(owner[3]));
    // Syncthing's own UI through the panel's proxy: ask for a scan now instead of waiting for the watcher.
    const scan = await h1.session.request('POST', '/apps/syncthing/rest/db/scan?folder=cloudy-shared');
    assert.equal(scan.status, 200, JSON.stringify(scan.body));
    const started = Date.now();
    const target = path.join(h2.node.root, SHARED, name);
    await eventually(`${name} on h2`, 60_000, async () => (existsSync(target) && readFileSync(target, 'utf8') === content ? true : undefined));
    console.log(`# file written on h1 → present on h2: ${Date.now() - started} ms after the scan request`);
  });
});
