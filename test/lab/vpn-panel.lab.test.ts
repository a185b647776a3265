// Two lab hosts in a real browser: h1 runs a network and hands out a token; h2 finds h1's server on its VPN page,
// joins by pasting the token and watches the five steps complete; h1 revokes h2, and h2 sees it and leaves.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import type { Browser, Page } from 'playwright-core';

import type { VpnStatus } from '../../src/shared/vpn-contract.ts';
import { byTestId, launchChromium, newPanelContext, ScreenshotBook, settledInputValue, visible } from '../e2e/browser-harness.ts';
import { logIn } from '../e2e/discovery-steps.ts';
import { expectAccessible, navigation } from '../e2e/vpn-steps.ts';
import { eventually, installFromMirror, type LabNode, removeRoots, startLabNode } from '../support/lab-node.ts';
import { createLab, type Lab } from '../support/netns-lab.ts';
import { PanelSession } from '../support/panel-session.ts';

const PASSWORD = 'correct horse battery';
const NETWORK = 'community';
const SUBNET = '10.98.0.0/24';

/**
 * Records every combination of step states the page shows, from inside the page (a MutationObserver and a 50 ms
 * timer), so a step that is under way only briefly is not missed. Text, not a function: see PROGRESS_RECORDER.
 */
const STEP_RECORDER = `{
  const seen = (window.joinStepsSeen = []);
  const record = () => {
    const states = [...document.querySelectorAll('[data-testid^="vpn-join-step-"]')].map((step) => step.getAttribute('data-state')).join(',');
    if (states !== '' && seen[seen.length - 1] !== states) seen.push(states);
  };
  new MutationObserver(record).observe(document.documentElement, { subtree: true, childList: true, attributes: true });
  setInterval(record, 50);
}`;

async function adminPage(browser: Browser, node: LabNode): Promise<{ page: Page; baseUrl: string }> {
  const baseUrl = `https://${node.host.address}:7443`;
  const setup = await new PanelSession(baseUrl).setup(readFileSync(path.join(node.root, 'etc/cloudy/setup-code'), 'utf8').trim(), 'admin', PASSWORD);
  assert.equal(setup.status, 200, JSON.stringify(setup.body));
  const page = await (await newPanelContext(browser)).newPage();
  await logIn(page, baseUrl, 'admin', PASSWORD);
  return { page, baseUrl };
}

describe('joining an overlay network in the browser, across two lab hosts', { timeout: 600_000, skip: process.getuid?.() !== 0 && 'needs root for network namespaces' }, () => {
  let lab: Lab;
  let browser: Browser;
  let h1: LabNode;
  let h2: LabNode;
  let server: { page: Page; baseUrl: string };
  let member: { page: Page; baseUrl: string };
  let joinText = '';
  let shots: ScreenshotBook;

  before(async () => {
    installFromMirror('serf', 'tinc', 'iputils-ping');
    lab = await createLab(2, { reachableFromHost: true, namePrefix: 'vpnui' });
    [h1, h2] = (await Promise.all(lab.hosts.map((host) => startLabNode(lab, host)))) as [LabNode, LabNode];
    await h2.cli('discovery', 'configure', `joinAddresses=${lab.hosts[0]!.address}:7946`);
    await h1.cli('vpn-server', 'network', 'create', NETWORK, '--subnet', SUBNET);
    browser = await launchChromium();
    shots = new ScreenshotBook('vpn-panel-lab');
    server = await adminPage(browser, h1);
    member = await adminPage(browser, h2);
  });

  after(async () => {
    await browser?.close();
    await lab?.destroy();
    await removeRoots([h1, h2]);
  });

  test('h1’s VPN server page hands out a join token as two lines of text', async () => {
    const { page, baseUrl } = server;
    await navigation(() => page.goto(`${baseUrl}/#/vpn-server`));
    await (await visible(page, 'vpn-token-submit', 15_000)).click();
    joinText = await (await visible(page, 'vpn-token-text')).inputValue();
    assert.match(joinText, new RegExp(`^https://${lab.hosts[0]!.address.replaceAll('.', '\\.')}:7443/vpn/v1/networks/${NETWORK}\ncyvpn1\\.`));
  });

  test('h2 finds h1’s server, pastes the token and sees the five steps complete', async () => {
    const { page, baseUrl } = member;
    await navigation(() => page.goto(`${baseUrl}/#/vpn`));
    const found = page.locator(`[data-testid="vpn-found-network"][data-network="${NETWORK}"]`);
    await found.waitFor({ state: 'visible', timeout: 60_000 });
    await found.locator('[data-testid="vpn-found-join"]').click();
    const expectedUrl = joinText.split('\n')[0]!;
    assert.equal(await settledInputValue(page, 'vpn-join-url', expectedUrl), expectedUrl);
    await byTestId(page, 'vpn-join-token').fill(joinText);
    await page.evaluate(STEP_RECORDER);
    await byTestId(page, 'vpn-join-submit').click();
    await page.waitForFunction(() => ['completed', 'failed'].includes(document.querySelector('[data-testid="vpn-join-progress"]')?.getAttribute('data-state') ?? ''), undefined, { timeout: 90_000 });
    const seen = await page.evaluate(() => (window as unknown as { joinStepsSeen: string[] }).joinStepsSeen);
    console.log(`step states seen: ${JSON.stringify(seen)}`);
    assert.equal(await byTestId(page, 'vpn-join-progress').getAttribute('data-state'), 'completed', (await byTestId(page, 'vpn-join-progress').textContent()) ?? '');
    assert.equal(seen[seen.length - 1], 'done,done,done,done,done');
    assert.ok(seen.some((states) => states.includes('running')), 'a step was seen under way');
    await visible(page, 'vpn-join-completed');
    await page.waitForFunction((network) => document.querySelector('[data-testid="vpn-status-network"]')?.textContent === network, NETWORK, { timeout: 15_000 });
    assert.equal(await byTestId(page, 'vpn-status-address').textContent(), '10.98.0.2/24');
    await page.locator('[data-testid="vpn-peer-row"][data-reachable="true"]').waitFor({ state: 'visible', timeout: 30_000 });
    await visible(page, 'vpn-leave-button');
    await expectAccessible(page, 'lab-vpn-joined-1280');
    await shots.take(page, 'h2-joined');
  });

  test('h1 revokes h2 after confirming; h2 shows it was removed and leaves', async () => {
    const { page } = server;
    const row = page.locator('[data-testid="vpn-member-row"][data-name="h2"]');
    await row.waitFor({ state: 'visible', timeout: 15_000 });
    await row.locator('[data-testid="vpn-member-revoke"]').click();
    await visible(page, 'vpn-revoke-confirmation');
    await shots.take(page, 'h1-revoke-confirmation');
    await byTestId(page, 'vpn-revoke-confirm').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="vpn-member-row"][data-name="h2"]')?.getAttribute('data-state') === 'revoked', undefined, { timeout: 15_000 });
    await page.locator('[data-testid="vpn-audit"] summary').click();
    await page.locator('[data-testid="vpn-audit-row"][data-event="revoked"]').waitFor({ state: 'visible', timeout: 10_000 });

    const memberPage = member.page;
    await visible(memberPage, 'vpn-revoked', 60_000);
    await shots.take(memberPage, 'h2-revoked');
    await byTestId(memberPage, 'vpn-leave-button').click();
    await byTestId(memberPage, 'vpn-leave-confirm').click();
    await visible(memberPage, 'vpn-not-member', 30_000);
    await visible(memberPage, 'vpn-join-form');
    const status = await h2.cli<VpnStatus>('vpn', 'status');
    assert.equal(status.network, null);
  });
});
