// The proxy story, in Catalan: the owner of node h1 installs the community proxy from the panel, lets the lab's network
// use it with a login, adds a member; from another host (h2) the member browses through it and gets the PAC file.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe } from 'node:test';

import type { Browser, Page } from 'playwright-core';

import { proxy3Translations } from '../../src/modules/proxy3/translations.ts';
import { installFromMirror, type LabNode, removeRoots, startLabNode } from '../support/lab-node.ts';
import { dpkgInstalled } from '../support/module-lifecycle.ts';
import { createLab, type Lab, type LabHost } from '../support/netns-lab.ts';
import { axeViolations, byTestId, horizontalOverflow, launchChromium, newPanelContext, saveArtifact, ScreenshotBook, storySteps, visible, watchPage } from './browser-harness.ts';
import { englishLeftovers, panelText } from './language-steps.ts';
import { runModuleAction } from './module-page-steps.ts';

const PASSWORD = 'correct horse battery';
const MEMBER_PASSWORD = 'pau-secret-password';

describe('the community proxy end to end, in Catalan, used from another host', { timeout: 600_000 }, () => {
  let lab: Lab;
  let node: LabNode;
  let h2: LabHost;
  let browser: Browser;
  let page: Page;
  let shots: ScreenshotBook;
  const pageErrors: string[] = [];
  const dialogs: string[] = [];
  const step = storySteps();
  const www = mkdtempSync(path.join(os.tmpdir(), 'proxy3-e2e-www-'));
  const baseUrl = () => `https://${node.host.address}:7443`;

  before(async () => {
    // Lab hosts cannot reach Debian's mirror: squid is removed, then only downloaded into apt's cache (download-only
    // runs no dpkg, so no clean-up hook empties the cache), so the panel's install really installs it, offline.
    installFromMirror('serf');
    if (dpkgInstalled('squid')) execFileSync('apt-get', ['remove', '-y', 'squid'], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', '--download-only', '-o', 'DPkg::Lock::Timeout=600', 'squid'], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    lab = await createLab(2, { namePrefix: 'pxe', reachableFromHost: true });
    h2 = lab.hosts[1]!;
    writeFileSync(path.join(www, 'index.html'), 'a page on h2\n');
    lab.spawn(h2, ['python3', '-m', 'http.server', '--bind', '0.0.0.0', '--directory', www, '8000']);
    node = await startLabNode(lab, lab.hosts[0]!);
    shots = new ScreenshotBook('proxy3');
    browser = await launchChromium();
    page = watchPage(await (await newPanelContext(browser)).newPage(), pageErrors, dialogs);
  });

  after(async () => {
    if (node) saveArtifact('proxy3-node-output.log', node.process.output());
    await browser?.close();
    await lab?.destroy();
    await removeRoots([node].filter(Boolean));
    rmSync(www, { recursive: true, force: true });
  });

  step('1. the owner sets h1 up in Catalan and installs the proxy', 240_000, async () => {
    await page.goto(`${baseUrl()}/`);
    await (await visible(page, 'setup-language', 20_000)).selectOption('ca');
    await byTestId(page, 'setup-code').fill(readFileSync(path.join(node.root, 'etc/cloudy/setup-code'), 'utf8').trim());
    await byTestId(page, 'setup-username').fill('admin');
    await byTestId(page, 'setup-password').fill(PASSWORD);
    await byTestId(page, 'setup-submit').click();
    await visible(page, 'dashboard', 15_000);
    await byTestId(page, 'nav-services').click();
    assert.equal(await (await visible(page, 'module-category-proxy3', 30_000)).textContent(), 'Categoria: Xarxa');
    await byTestId(page, 'module-link-proxy3').click();
    await runModuleAction(page, 'install', 'module-state-stopped', 180_000, 'ca');
    assert.ok(dpkgInstalled('squid'), 'apt installed squid');
  });

  step('2. the lab’s network may use it, with a login; a member is added; it starts', 120_000, async () => {
    await byTestId(page, 'config-field-clientSubnets').fill(lab.subnet);
    await byTestId(page, 'config-field-authentication').selectOption({ label: proxy3Translations.catalogue.ca['setting.authentication.choice.local']! });
    await byTestId(page, 'config-save').click();
    await visible(page, 'config-saved');
    await byTestId(page, 'item-users-name').fill('pau');
    await byTestId(page, 'item-users-password').fill(MEMBER_PASSWORD);
    await byTestId(page, 'collection-users-save').click();
    await visible(page, 'item-users-pau');
    await runModuleAction(page, 'start', 'module-state-running', 60_000, 'ca');
    await shots.take(page, 'proxy3-catalan');
  });

  step('3. every word of the page is Catalan; no accessibility violations; it fits a phone', 60_000, async () => {
    await page.reload();
    await visible(page, 'item-users-pau');
    const text = await panelText(page);
    saveArtifact('proxy3-page-catalan.txt', text);
    assert.deepEqual(englishLeftovers(text, proxy3Translations), [], 'no English word left');
    assert.deepEqual(await axeViolations(page), [], 'no axe-core violations');
    await page.setViewportSize({ width: 360, height: 740 });
    assert.deepEqual(await horizontalOverflow(page), { scrollWidth: 360, viewportWidth: 360 });
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  step('4. from h2 the member browses through h1’s proxy, and gets the PAC file from h1', 60_000, async () => {
    const proxy = `http://${node.host.address}:3128`;
    const page2 = `http://${h2.address}:8000/`;
    const fetch = async (...args: string[]) => (await lab.run(h2, ['curl', '-s', '-m', '15', '-w', '\n%{http_code}', ...args], { timeoutMs: 30_000 })).stdout;
    assert.match(await fetch('-o', '/dev/null', '-x', proxy, page2), /407$/, 'no login');
    const through = await fetch('-x', proxy, '-U', `pau:${MEMBER_PASSWORD}`, page2);
    assert.match(through, /^a page on h2\n\n200$/, through);
    const pac = await fetch(`http://${node.host.address}:7000/proxy.pac`);
    assert.match(pac, new RegExp(`PROXY ${node.host.address.replaceAll('.', '\\.')}:3128; DIRECT`));
    assert.deepEqual(pageErrors, []);
    assert.deepEqual(dialogs, []);
  });
});
