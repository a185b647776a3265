// The overlay network in a real browser against a real node: join form checks and a found server, a failed join step by step,
// creating a network (tincd really starts), a join token as text and QR code, legacy enrolment, accessibility, three languages, phones.
import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';

import type { Browser, BrowserContext, Page } from 'playwright-core';

import { freePort, startNodeWithAdmin, type StartedNode } from '../support/cloudy-node.ts';
import type { PanelSession } from '../support/panel-session.ts';
import { freeSerfPort, type SerfAgent, startSerfAgent } from '../support/serf-agent.ts';
import { byTestId, gone, launchChromium, newPanelContext, saveArtifact, ScreenshotBook, settledInputValue, storySteps, visible, watchPage } from './browser-harness.ts';
import { expectNoOverflow, logIn, PHONE } from './discovery-steps.ts';
import { expectAccessible, expectFieldError, interfaceExists, navigation, PEER_ADDRESS, PEER_NAME, PEER_NETWORKS, PEER_PORT, PEER_TAG, runNetwork } from './vpn-steps.ts';

const PASSWORD = 'correct horse battery';
const DESKTOP = { width: 1280, height: 900 };
const TOKEN_SHAPE = /^cyvpn1\.[a-f0-9]{16}\.[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/;
/** Well-formed but issued by no server: the join it starts fails at enrolment. */
const FORGED_TOKEN = `cyvpn1.0123456789abcdef.${'A'.repeat(43)}.${'B'.repeat(43)}`;

describe('overlay network panel end to end', { timeout: 900_000 }, () => {
  const network = runNetwork();
  let node: StartedNode;
  let session: PanelSession;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let peer: SerfAgent | undefined;
  let shots: ScreenshotBook;
  const pageErrors: string[] = [];
  const dialogs: string[] = [];
  const open = async (hash: string, testId: string): Promise<void> => {
    await navigation(() => page.goto(`${node.baseUrl}/#/${hash}`));
    await visible(page, testId, 15_000);
  };
  const step = storySteps();

  before(async () => {
    assert.ok(!interfaceExists(network.name), `no interface ${network.name} before the test`);
    shots = new ScreenshotBook('vpn');
    ({ node, session } = await startNodeWithAdmin());
    browser = await launchChromium();
    context = await newPanelContext(browser);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: node.baseUrl });
    page = watchPage(await context.newPage(), pageErrors, dialogs);
  });

  after(async () => {
    if (node) saveArtifact('vpn/node-output.log', node.output());
    await peer?.stop();
    await browser?.close();
    await node?.stop();
  });

  step('1. not a member: the VPN page offers the join form and the servers the community announces', 90_000, async () => {
    await logIn(page, node.baseUrl, 'admin', PASSWORD);
    await byTestId(page, 'nav-vpn').click();
    await visible(page, 'vpn');
    await visible(page, 'vpn-not-member');
    await visible(page, 'vpn-join-form');
    assert.equal(await byTestId(page, 'nav-vpn').getAttribute('aria-current'), 'page');

    const settings = (await session.request('GET', '/api/discovery/settings')).body;
    peer = await startSerfAgent({ name: PEER_NAME, bind: `127.0.0.1:${await freeSerfPort()}`, rpcPort: await freePort(), tags: { services: PEER_TAG }, join: [`127.0.0.1:${settings.serfPort}`] });
    await page.waitForFunction((count) => document.querySelectorAll('[data-testid="vpn-found-network"]').length === count, PEER_NETWORKS.length, { timeout: 45_000 });
    const found = await byTestId(page, 'vpn-found-network').evaluateAll((items) => items.map((item) => ({ network: item.getAttribute('data-network'), url: item.getAttribute('data-url') })));
    assert.deepEqual(
      found,
      PEER_NETWORKS.map((name) => ({ network: name, url: `https://${PEER_ADDRESS}:${PEER_PORT}/vpn/v1/networks/${name}` })),
      'each valid network once; the bad name is dropped',
    );
    await page.locator('[data-testid="vpn-found-network"][data-network="alpha"] [data-testid="vpn-found-join"]').click();
    assert.equal(await settledInputValue(page, 'vpn-join-url', found[0]!.url), found[0]!.url);
    await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'vpn-join-token');
    await shots.take(page, 'vpn-not-member');
  });

  step('2. the join form refuses a malformed token and URL in the page’s language, and splits pasted join text', 60_000, async () => {
    await byTestId(page, 'vpn-join-token').fill('cyvpn1.not-a-token');
    await byTestId(page, 'vpn-join-submit').click();
    await expectFieldError(page, 'vpn-join-token', 'token', /^Join token: this is not a join token/);
    await byTestId(page, 'vpn-join-url').fill('http://example/vpn');
    await byTestId(page, 'vpn-join-submit').click();
    await expectFieldError(page, 'vpn-join-url', 'url', /^Server URL: write the join URL/);
    assert.equal(await byTestId(page, 'vpn-join-progress').count(), 0, 'no join started');
    await shots.take(page, 'vpn-join-refused');

    const closedPort = await freePort();
    const url = `https://127.0.0.1:${closedPort}/vpn/v1/networks/nowhere`;
    await byTestId(page, 'vpn-join-token').fill(`${url}\n${FORGED_TOKEN}`);
    assert.equal(await settledInputValue(page, 'vpn-join-url', url), url, 'the URL line went to the URL field');
    assert.equal(await settledInputValue(page, 'vpn-join-token', FORGED_TOKEN), FORGED_TOKEN, 'the token line stayed in the token field');
  });

  step('3. a join whose server cannot be reached fails at “enrolled”, step by step', 90_000, async () => {
    await byTestId(page, 'vpn-join-submit').click();
    const progress = await visible(page, 'vpn-join-progress');
    await page.waitForFunction(() => document.querySelector('[data-testid="vpn-join-progress"]')?.getAttribute('data-state') === 'failed', undefined, { timeout: 60_000 });
    const states = await page.locator('[data-testid^="vpn-join-step-"]').evaluateAll((items) => items.map((item) => `${item.getAttribute('data-testid')}=${item.getAttribute('data-state')}`));
    assert.deepEqual(states, ['vpn-join-step-key=done', 'vpn-join-step-enrol=failed', 'vpn-join-step-config=waiting', 'vpn-join-step-tincd=waiting', 'vpn-join-step-peer=waiting']);
    assert.match((await byTestId(page, 'vpn-join-failed').textContent()) ?? '', /step "enrol" failed/);
    assert.equal(await progress.getAttribute('data-state'), 'failed');
    await visible(page, 'vpn-join-form');
    await visible(page, 'vpn-not-member');
    await expectAccessible(page, 'vpn-join-failed-en-1280');
    await shots.take(page, 'vpn-join-failed');
  });

  step('4. Search links the found server’s networks to the VPN page with the join URL filled in', 60_000, async () => {
    await open('search', 'search-results');
    const link = page.locator('[data-testid="search-vpn-join"][data-network="beta_2"]');
    await link.waitFor({ state: 'visible', timeout: 15_000 });
    await link.click();
    await visible(page, 'vpn-join-form');
    await page.waitForFunction((expected) => (document.querySelector('[data-testid="vpn-join-url"]') as HTMLInputElement | null)?.value === expected, `https://${PEER_ADDRESS}:${PEER_PORT}/vpn/v1/networks/beta_2`);
    await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'vpn-join-token');
  });

  step('5. VPN server: bad names and subnets are refused field by field, by the panel and by the server; a good one creates the network', 120_000, async () => {
    await byTestId(page, 'nav-vpn-server').click();
    await visible(page, 'vpn-networks-empty');
    await byTestId(page, 'vpn-create-name').fill('Bad Name');
    await byTestId(page, 'vpn-create-subnet').fill('banana');
    await byTestId(page, 'vpn-create-submit').click();
    await expectFieldError(page, 'vpn-create-name', 'name', /^Name: lowercase letters/);
    await expectFieldError(page, 'vpn-create-subnet', 'subnet', /^Subnet: write an IPv4 range/);
    await byTestId(page, 'vpn-create-name').fill(network.name);
    const hostAddress = network.subnet.replace('.0/24', '.5/24');
    await byTestId(page, 'vpn-create-subnet').fill(hostAddress);
    await byTestId(page, 'vpn-create-submit').click();
    await expectFieldError(page, 'vpn-create-subnet', 'subnet', new RegExp(`is not a network address; did you mean ${network.subnet.replaceAll('.', '\\.')}\\?`));
    assert.equal(await byTestId(page, 'field-error-name').count(), 0);
    await shots.take(page, 'vpn-server-create-refused');
    assert.deepEqual((await session.request('GET', '/api/vpn-server/networks')).body, [], 'nothing was created');

    await byTestId(page, 'vpn-create-subnet').fill(network.subnet);
    await byTestId(page, 'vpn-create-submit').click();
    const row = page.locator(`[data-testid="vpn-network-row"][data-name="${network.name}"]`);
    await row.waitFor({ state: 'visible', timeout: 60_000 });
    assert.equal(await row.locator('[data-testid="vpn-network-members"]').textContent(), '1');
    await visible(page, 'vpn-network');
    assert.equal(await byTestId(page, 'vpn-network').getAttribute('data-name'), network.name);
    assert.ok(interfaceExists(network.name), `tincd made the interface ${network.name}`);
  });

  step('6. the members table shows the server’s own node, which cannot be revoked', 30_000, async () => {
    const own = page.locator('[data-testid="vpn-member-row"][data-invited-by="server"]');
    await own.waitFor({ state: 'visible', timeout: 10_000 });
    assert.equal(await byTestId(page, 'vpn-member-row').count(), 1);
    assert.equal(await own.getAttribute('data-state'), 'active');
    assert.equal(await own.locator('[data-testid="vpn-member-address"]').textContent(), network.firstAddress);
    assert.match((await own.textContent()) ?? '', /this server’s own node/);
    assert.equal(await own.locator('[data-testid="vpn-member-revoke"]').count(), 0);
  });

  step('7. a join token: uses checked, then the two lines as text to copy and as a QR code with a name', 60_000, async () => {
    await byTestId(page, 'vpn-token-uses').fill('0');
    await byTestId(page, 'vpn-token-submit').click();
    await expectFieldError(page, 'vpn-token-uses', 'uses', /^Uses: a whole number/);
    await byTestId(page, 'vpn-token-uses').fill('2');
    await byTestId(page, 'vpn-token-expires').fill('7d');
    await byTestId(page, 'vpn-token-submit').click();
    const text = await (await visible(page, 'vpn-token-text')).inputValue();
    const [url, token, ...rest] = text.split('\n');
    assert.equal(url, `${node.baseUrl}/vpn/v1/networks/${network.name}`);
    assert.match(token ?? '', TOKEN_SHAPE);
    assert.deepEqual(rest, []);
    assert.equal(((await byTestId(page, 'vpn-token-command').textContent()) ?? '').trim(), `cloudy vpn join ${url} ${token}`);
    const qr = await visible(page, 'vpn-token-qr');
    assert.equal(await qr.evaluate((element) => element.tagName.toLowerCase()), 'svg');
    assert.equal(await qr.getAttribute('role'), 'img');
    assert.equal(await qr.getAttribute('aria-label'), `QR code of the join text for ${network.name}`);
    assert.ok(((await qr.locator('path').getAttribute('d')) ?? '').length > 1000, 'the QR code has modules');
    await byTestId(page, 'vpn-token-copy').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="vpn-token-copy-outcome"]')?.textContent === 'Copied.');
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), text);
    await page.locator('[data-testid="vpn-audit"] summary').click();
    await page.locator('[data-testid="vpn-audit-row"][data-event="token-created"]').waitFor({ state: 'visible', timeout: 10_000 });
    await expectAccessible(page, 'vpn-server-token-en-1280');
    await shots.take(page, 'vpn-server-token');
  });

  step('8. legacy enrolment: turning it on warns and shows the network key; off again hides both', 30_000, async () => {
    assert.equal(await byTestId(page, 'vpn-legacy-warning').count(), 0);
    await byTestId(page, 'vpn-legacy-toggle').check();
    const warning = await visible(page, 'vpn-legacy-warning');
    assert.match((await warning.textContent()) ?? '', /anyone who has the network key can join/);
    assert.notEqual(((await byTestId(page, 'vpn-legacy-key').textContent()) ?? '').trim(), '');
    assert.equal((await session.request('GET', '/api/vpn-server/networks')).body[0].legacyEnrolment, true);
    await expectAccessible(page, 'vpn-server-legacy-en-1280');
    await shots.take(page, 'vpn-server-legacy');
    await byTestId(page, 'vpn-legacy-toggle').uncheck();
    await gone(page, 'vpn-legacy-warning');
    assert.equal((await session.request('GET', '/api/vpn-server/networks')).body[0].legacyEnrolment, false);
  });

  step('9. the VPN page shows this node as a member with its address, tincd running, and no way to leave its own network', 60_000, async () => {
    await byTestId(page, 'vpn-server-member-link').click();
    await visible(page, 'vpn-status');
    assert.equal(await byTestId(page, 'vpn-status-network').textContent(), network.name);
    assert.equal(await byTestId(page, 'vpn-status-address').textContent(), `${network.firstAddress}/24`);
    assert.equal(await byTestId(page, 'vpn-status-interface').textContent(), network.name);
    assert.equal(await byTestId(page, 'vpn-status-server').textContent(), 'this node');
    assert.equal(await byTestId(page, 'vpn-status-state').getAttribute('data-state'), 'joined');
    await page.waitForFunction(() => document.querySelector('[data-testid="vpn-status-tincd"]')?.getAttribute('data-state') === 'running', undefined, { timeout: 15_000 });
    await visible(page, 'vpn-peers-empty');
    await visible(page, 'vpn-hosted-note');
    for (const control of ['vpn-join-form', 'vpn-leave-button']) assert.equal(await byTestId(page, control).count(), 0, `${control} hidden`);
    await shots.take(page, 'vpn-member');
  });

  step('10. both pages pass axe-core and fit a phone, in English', 90_000, async () => {
    for (const [hash, testId] of [['vpn', 'vpn-status'], ['vpn-server', 'vpn-members-table']] as const) {
      await page.setViewportSize(DESKTOP);
      await open(hash, testId);
      await expectAccessible(page, `${hash}-en-1280`);
      await page.setViewportSize(PHONE);
      await navigation(() => page.reload());
      await visible(page, testId, 15_000);
      await expectAccessible(page, `${hash}-en-360`);
      await expectNoOverflow(page, `${hash} en`);
      await shots.take(page, `phone-${hash}-en`);
    }
    await page.setViewportSize(DESKTOP);
  });

  step('11. in Catalan and Spanish: translated headings, axe-core clean, no sideways scrolling', 180_000, async () => {
    const headings: Record<string, string[]> = { en: [], ca: [], es: [] };
    for (const language of ['en', 'ca', 'es'] as const) {
      await page.setViewportSize(DESKTOP);
      await open('settings', 'settings-language');
      await byTestId(page, 'settings-language').selectOption(language);
      await page.waitForFunction((lang) => document.documentElement.lang === lang, language);
      for (const [hash, testId] of [['vpn', 'vpn-status'], ['vpn-server', 'vpn-members-table']] as const) {
        await page.setViewportSize(DESKTOP);
        await open(hash, testId);
        headings[language]!.push(((await page.locator('h1').textContent()) ?? '').trim());
        if (language !== 'en') {
          if (hash === 'vpn-server') {
            await byTestId(page, 'vpn-token-submit').click();
            await visible(page, 'vpn-token-qr');
          }
          await expectAccessible(page, `${hash}-${language}-1280`);
          await shots.take(page, `${hash}-${language}`);
        }
        await page.setViewportSize(PHONE);
        await navigation(() => page.reload());
        await visible(page, testId, 15_000);
        if (language !== 'en') await expectAccessible(page, `${hash}-${language}-360`);
        await expectNoOverflow(page, `${hash} ${language}`);
      }
    }
    console.log(`page headings: ${JSON.stringify(headings)}`);
    for (const index of [0, 1]) assert.equal(new Set([headings.en![index], headings.ca![index], headings.es![index]]).size, 3, `h1 differs in every language: ${JSON.stringify(headings)}`);
    await page.setViewportSize(DESKTOP);
    await open('settings', 'settings-language');
    await byTestId(page, 'settings-language').selectOption('en');
    await page.waitForFunction(() => document.documentElement.lang === 'en');
  });

  step('12. a user (not administrator) sees the network and its members but no control that changes anything', 60_000, async () => {
    assert.equal((await session.request('POST', '/api/users', { username: 'viewer', password: 'viewer password', role: 'user' })).status, 201);
    const viewerContext = await newPanelContext(browser);
    const viewer = watchPage(await viewerContext.newPage(), pageErrors, dialogs);
    await logIn(viewer, node.baseUrl, 'viewer', 'viewer password');
    await navigation(() => viewer.goto(`${node.baseUrl}/#/vpn-server`));
    await visible(viewer, 'vpn-members-table');
    await visible(viewer, 'vpn-server-admin-only');
    for (const control of ['vpn-create-form', 'vpn-token-form', 'vpn-legacy', 'vpn-audit']) assert.equal(await byTestId(viewer, control).count(), 0, `${control} hidden`);
    await navigation(() => viewer.goto(`${node.baseUrl}/#/vpn`));
    await visible(viewer, 'vpn-status');
    await visible(viewer, 'vpn-admin-only');
    await shots.take(viewer, 'vpn-as-user');
    await viewerContext.close();
    assert.deepEqual(pageErrors, [], 'no uncaught errors in the panel');
    assert.deepEqual(dialogs, [], 'no dialog opened');
  });

  step('13. stopping the node stops tincd: its interface is gone from this machine', 60_000, async () => {
    await browser.close();
    await node.stop();
    assert.ok(!interfaceExists(network.name), `interface ${network.name} removed`);
  });
});
