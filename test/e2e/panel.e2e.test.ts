// The whole user story in one real browser against a real node: setup, dashboard, Syncthing from install to uninstall, settings, phone width.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe } from 'node:test';

import type { Browser, BrowserContext, Page } from 'playwright-core';

import { syncthingManifest } from '../../src/modules/syncthing/manifest.ts';
import { syncthingTranslations } from '../../src/modules/syncthing/translations.ts';
import { freePort, startCloudyNode, type StartedNode } from '../support/cloudy-node.ts';
import { dpkgInstalled } from '../support/module-lifecycle.ts';
import { axeViolations, byTestId, gone, horizontalOverflow, launchChromium, newPanelContext, recordProgressValues, saveArtifact, ScreenshotBook, visible, watchPage, storySteps } from './browser-harness.ts';
import { clickModuleAction, configValues, expectConfigRefused, fillConfig, reloadModulePage, runModuleAction, waitForOperationEnd } from './module-page-steps.ts';

const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'staple battery horse 2';
const CONFIG_FIELDS = ['deviceName', 'listenPort', 'guiPort', 'sharedFolderPath'];
/** Syncthing's device ID: 56 base32 characters in 8 groups of 7 (Syncthing docs, "Understanding Device IDs"). */
const DEVICE_ID = /^[A-Z2-7]{7}(-[A-Z2-7]{7}){7}$/;
/** The core's generic checks (packages, each daemon) and Syncthing's own, as src/daemon/module-service.ts lists them. */
const SYNCTHING_CHECKS = [
  'syncthing-packages',
  ...syncthingManifest.daemons.map((daemon) => `syncthing-daemon-${daemon.name}`),
  ...syncthingManifest.diagnostics.map((check) => check.checkId),
];
const INSTALL_TIMEOUT_MS = 120_000;
const START_TIMEOUT_MS = 30_000;

/** Picks the panel language on the settings page and waits until the navigation speaks it. */
async function chooseLanguage(page: Page, language: 'en' | 'ca' | 'es', servicesLabel: string): Promise<void> {
  await byTestId(page, 'nav-settings').click();
  await (await visible(page, 'settings-language')).selectOption(language);
  await page.waitForFunction((label) => document.querySelector('[data-testid="nav-services"]')?.textContent === label, servicesLabel, { timeout: 10_000 });
}

describe('panel end to end', { timeout: 600_000 }, () => {
  let node: StartedNode;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let shots: ScreenshotBook;
  let deviceId = '';
  const pageErrors: string[] = [];
  const dialogs: string[] = [];
  const moduleUrl = (): string => `${node.baseUrl}/#/services/syncthing`;
  const step = storySteps();

  before(async () => {
    // The install must really run apt: start from Syncthing not installed.
    if (dpkgInstalled('syncthing')) execFileSync('apt-get', ['remove', '-y', 'syncthing'], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    shots = new ScreenshotBook();
    node = await startCloudyNode();
    browser = await launchChromium();
    context = await newPanelContext(browser);
    page = watchPage(await context.newPage(), pageErrors, dialogs);
  });

  after(async () => {
    if (node) saveArtifact('node-output.log', node.output());
    await browser?.close();
    await node?.stop();
  });

  step('1. setup refuses a wrong code, then creates the admin and shows the dashboard', 60_000, async () => {
    await page.goto(`${node.baseUrl}/`);
    await visible(page, 'setup-code', 20_000);
    await shots.take(page, 'setup');
    await byTestId(page, 'setup-code').fill('WRONG-CODE');
    await byTestId(page, 'setup-username').fill('admin');
    await byTestId(page, 'setup-password').fill(PASSWORD);
    await byTestId(page, 'setup-submit').click();
    assert.match((await (await visible(page, 'form-error')).textContent()) ?? '', /setup code is wrong/i);
    await visible(page, 'field-error-setupCode');
    await shots.take(page, 'setup-wrong-code');

    await byTestId(page, 'setup-code').fill(node.setupCode());
    await byTestId(page, 'setup-submit').click();
    await visible(page, 'dashboard', 15_000);
    assert.equal(await byTestId(page, 'current-user').textContent(), 'admin');
    assert.notEqual((await byTestId(page, 'node-hostname').textContent())?.trim(), '');
    assert.match((await byTestId(page, 'node-cpu').textContent()) ?? '', /\(\d+ cores\)/);
    assert.match((await byTestId(page, 'node-memory').textContent()) ?? '', /used of/);
    assert.match((await byTestId(page, 'node-disk').textContent()) ?? '', /used of/);
    assert.match((await byTestId(page, 'node-uptime').textContent()) ?? '', /\d/);
    assert.ok((await byTestId(page, 'node-addresses').locator('li').count()) > 0, 'at least one address');
    // The activity graphs: uPlot loads on demand and draws the first minute's figures (cloudyd samples at start).
    const chart = await visible(page, 'chart-cpu-memory', 15_000);
    await chart.locator('canvas').first().waitFor({ state: 'visible', timeout: 10_000 });
    assert.match((await byTestId(page, 'chart-cpu-memory-latest-1').textContent()) ?? '', /^\d+ %$/, 'memory in use, in %');
    assert.match((await chart.getAttribute('aria-label')) ?? '', /Memory: \d+ %/, 'the figure names its latest values for screen readers');
    await visible(page, 'chart-load');
    await byTestId(page, 'history-range-24h').check();
    await chart.locator('canvas').first().waitFor({ state: 'visible', timeout: 10_000 });
    assert.deepEqual(await axeViolations(page), [], 'the dashboard with its graphs has no accessibility violations');
    await shots.take(page, 'dashboard');
  });

  step('2. the services catalogue lists Syncthing, not installed', 60_000, async () => {
    await byTestId(page, 'nav-services').click();
    const card = await visible(page, 'module-card-syncthing');
    assert.match((await card.textContent()) ?? '', /Syncthing/);
    await shots.take(page, 'services');
    await byTestId(page, 'module-link-syncthing').click();
    await visible(page, 'module-page');
    assert.equal(await byTestId(page, 'module-title').textContent(), 'Syncthing');
    await visible(page, 'module-state-not-installed');
    assert.equal(new URL(page.url()).hash, '#/services/syncthing');
    await shots.take(page, 'syncthing-not-installed');
  });

  step('3. install shows apt’s real progress and ends installed', INSTALL_TIMEOUT_MS + 30_000, async () => {
    const progressValues = await recordProgressValues(page);
    await clickModuleAction(page, 'install');
    await visible(page, 'module-progress');
    await shots.take(page, 'installing');
    await waitForOperationEnd(page, 'install', 'module-state-installed', INSTALL_TIMEOUT_MS);
    const values = await progressValues();
    saveArtifact('install-progress.txt', values.join('\n'));
    assert.ok(values.some((value) => value > 0 && value < 100), `an intermediate progress value was shown: ${values.join(', ')}`);
    assert.equal(await byTestId(page, 'module-progress').evaluate((bar: HTMLProgressElement) => bar.value), 100);
    assert.equal(dpkgInstalled('syncthing'), true, 'apt really installed the package');
    await visible(page, 'module-state-stopped');
    await shots.take(page, 'installed');
  });

  step('4. the config form refuses bad input field by field and saves good input', 60_000, async () => {
    await visible(page, 'config-form');
    const saved = await configValues(page, CONFIG_FIELDS);
    await fillConfig(page, { deviceName: '; rm -rf / <script>alert(1)</script>', sharedFolderPath: '../../etc', listenPort: '99999999' });
    await expectConfigRefused(page, {
      deviceName: /Device name contains characters or a form that is not allowed/,
      sharedFolderPath: /Shared folder contains characters or a form that is not allowed/,
      listenPort: /Sync port must be a whole number from 1024 to 65535/,
    });
    await shots.take(page, 'config-refused');
    await fillConfig(page, { deviceName: 'x'.repeat(10_240), sharedFolderPath: saved.sharedFolderPath!, listenPort: saved.listenPort! });
    await expectConfigRefused(page, { deviceName: /Device name is too long: at most 63 characters/ });
    await reloadModulePage(page);
    assert.deepEqual(await configValues(page, CONFIG_FIELDS), saved, 'nothing was saved');
    assert.deepEqual(dialogs, [], 'no script from the input ran');

    const valid = { deviceName: 'e2e node', listenPort: String(await freePort()), guiPort: String(await freePort()) };
    await fillConfig(page, valid);
    await byTestId(page, 'config-save').click();
    await visible(page, 'config-saved');
    await gone(page, 'form-error');
    await shots.take(page, 'config-saved');
    await reloadModulePage(page);
    assert.deepEqual(await configValues(page, Object.keys(valid)), valid, 'the valid values were kept');
  });

  step('5. start: running, with a device ID and the shared folder', START_TIMEOUT_MS + 30_000, async () => {
    await runModuleAction(page, 'start', 'module-state-running', START_TIMEOUT_MS);
    deviceId = ((await (await visible(page, 'module-detail-device-id')).textContent()) ?? '').trim();
    assert.match(deviceId, DEVICE_ID);
    const folder = ((await byTestId(page, 'module-detail-folder-shared').textContent()) ?? '').trim();
    assert.equal(folder, `${node.root}/srv/cloudy/syncthing/shared`);
    await visible(page, 'open-web-ui');
    await shots.take(page, 'running');
  });

  step('6. Syncthing’s own web UI opens through the panel, and only for a signed-in admin', 60_000, async () => {
    const [webUi] = await Promise.all([context.waitForEvent('page'), byTestId(page, 'open-web-ui').click()]);
    const webUiErrors: string[] = [];
    watchPage(webUi, webUiErrors, []);
    await webUi.waitForLoadState('domcontentloaded');
    assert.equal(new URL(webUi.url()).pathname, '/apps/syncthing/');
    // Syncthing's Angular UI shows this device's name once its REST calls through the proxy succeed.
    await webUi.getByText('e2e node').first().waitFor({ state: 'visible', timeout: 20_000 });
    assert.match(await webUi.title(), /Syncthing/);
    // "This Device" shows the short device ID: its first 6 characters (Syncthing's gui/default/syncthing/core/syncthingController.js, deviceShortID).
    await webUi.getByText(deviceId.slice(0, 6), { exact: true }).first().waitFor({ state: 'visible', timeout: 5_000 });
    await shots.take(webUi, 'syncthing-web-ui');
    // Its settings dialog holds a hidden GUI password input; a login prompt would be a visible one.
    assert.equal(await webUi.locator('input[type="password"]:visible').count(), 0, 'no login prompt of Syncthing’s own');
    assert.deepEqual(webUiErrors.filter((error) => error.startsWith('CSP')), [], 'the module-UI policy lets Syncthing’s UI work');
    await webUi.close();

    const stranger = await newPanelContext(browser);
    const reply = await (await stranger.newPage()).goto(`${node.baseUrl}/apps/syncthing/`);
    assert.equal(reply?.status(), 401, 'a browser without a session is refused');
    await stranger.close();
  });

  step('7. diagnostics all pass, the logs show lines, and the running page fits a phone', 60_000, async () => {
    // The table may still hold results fetched before the daemon ran: wait for this run's reply and its rendering.
    await Promise.all([page.waitForResponse((response) => response.url().endsWith('/api/modules/syncthing/diagnostics'), { timeout: 15_000 }), byTestId(page, 'diagnostics-run').click()]);
    await page.waitForFunction(() => !document.querySelector<HTMLButtonElement>('[data-testid="diagnostics-run"]')?.disabled, undefined, { timeout: 5_000 });
    const results: Record<string, string | null> = {};
    for (const result of await byTestId(page, 'diagnostics').locator('[data-result]').all()) {
      results[(await result.getAttribute('data-testid'))!.replace('diagnostic-result-', '')] = await result.getAttribute('data-result');
    }
    assert.deepEqual(Object.keys(results).sort(), [...SYNCTHING_CHECKS].sort(), 'every check is listed');
    assert.deepEqual(Object.values(results).filter((result) => result !== 'passed'), [], `every check passed: ${JSON.stringify(results)}`);
    await Promise.all([page.waitForResponse((response) => response.url().endsWith('/api/modules/syncthing/logs'), { timeout: 10_000 }), byTestId(page, 'logs-refresh').click()]);
    await page.waitForFunction(() => (document.querySelector('[data-testid="logs"]')?.textContent ?? '').trim() !== '', undefined, { timeout: 10_000 });
    const logText = (await byTestId(page, 'logs').textContent()) ?? '';
    saveArtifact('syncthing-logs.txt', logText);
    const lines = logText.split('\n').filter(Boolean);
    assert.ok(lines.length > 0, 'log lines shown');
    // Syncthing's own graphs: cloudyd samples a module's daemons within seconds of its start.
    await page.reload();
    await page.waitForFunction(() => /\d (KiB|MiB|GiB)$/.test(document.querySelector('[data-testid="chart-module-memory-latest-0"]')?.textContent ?? ''), undefined, { timeout: 20_000 });
    await byTestId(page, 'chart-module-memory').locator('canvas').first().waitFor({ state: 'visible', timeout: 10_000 });
    await byTestId(page, 'diagnostics').scrollIntoViewIfNeeded();
    await shots.take(page, 'diagnostics-and-logs');
    // The running page is the widest one (device ID, paths, log lines): it must fit a phone too.
    await page.setViewportSize({ width: 360, height: 740 });
    assert.deepEqual(await horizontalOverflow(page), { scrollWidth: 360, viewportWidth: 360 }, 'running module page fits 360 px');
    await shots.take(page, 'phone-syncthing-running');
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  step('8. stop, then uninstall after confirming', INSTALL_TIMEOUT_MS + 30_000, async () => {
    await runModuleAction(page, 'stop', 'module-state-stopped', START_TIMEOUT_MS);
    assert.equal(await byTestId(page, 'open-web-ui').count(), 0, 'no web UI link while stopped');
    await shots.take(page, 'stopped');

    // In Catalan, the module's own words follow: its card, its page, its settings form and its checks, which fail
    // nothing while the owner has it stopped.
    const catalan = syncthingTranslations.catalogue.ca;
    await chooseLanguage(page, 'ca', 'Serveis');
    await byTestId(page, 'nav-services').click();
    assert.equal(await (await visible(page, 'module-category-syncthing')).textContent(), 'Categoria: Emmagatzematge');
    assert.match((await byTestId(page, 'module-card-syncthing').textContent()) ?? '', new RegExp(catalan.description!.slice(0, 30)));
    await byTestId(page, 'module-link-syncthing').click();
    await visible(page, 'config-form');
    assert.equal(await byTestId(page, 'module-title').textContent(), catalan.title);
    assert.equal(await page.locator('label[for="config-field-deviceName"]').textContent(), catalan['setting.deviceName.title']);
    assert.equal(await page.locator('label[for="config-field-maxSendKiBps"]').textContent(), catalan['setting.maxSendKiBps.title']);
    await visible(page, 'diagnostic-result-syncthing-daemon-syncthing');
    assert.equal(await byTestId(page, 'diagnostic-syncthing-daemon-syncthing').locator('td').first().textContent(), 'El dimoni syncthing està en marxa');
    assert.equal(await byTestId(page, 'diagnostic-result-syncthing-daemon-syncthing').textContent(), 'No està en marxa');
    assert.equal(await byTestId(page, 'diagnostic-syncthing-rest-reachable').locator('td').first().textContent(), catalan['check.syncthing-rest-reachable']);
    assert.deepEqual(await axeViolations(page), [], 'the Catalan module page has no accessibility violations');
    await shots.take(page, 'module-catalan-stopped');
    await chooseLanguage(page, 'en', 'Services');
    await byTestId(page, 'nav-services').click();
    await byTestId(page, 'module-link-syncthing').click();
    await visible(page, 'config-form');
    await byTestId(page, 'module-uninstall').click();
    await visible(page, 'uninstall-confirmation');
    await shots.take(page, 'uninstall-confirm');
    await byTestId(page, 'module-uninstall-cancel').click();
    await gone(page, 'uninstall-confirmation');
    await runModuleAction(page, 'uninstall', 'module-state-not-installed', INSTALL_TIMEOUT_MS);
    assert.equal(dpkgInstalled('syncthing'), false, 'apt really removed the package');
    await shots.take(page, 'uninstalled');
  });

  step('9. settings: Catalan and back, a new password, log out and in again', 60_000, async () => {
    await byTestId(page, 'nav-settings').click();
    await (await visible(page, 'settings-language')).selectOption('ca');
    await page.waitForFunction(() => document.querySelector('[data-testid="nav-services"]')?.textContent === 'Serveis', undefined, { timeout: 10_000 });
    assert.equal(await byTestId(page, 'nav-dashboard').textContent(), 'Tauler');
    assert.equal(await byTestId(page, 'nav-settings').textContent(), 'Configuració');
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'ca');
    await shots.take(page, 'settings-catalan');

    await byTestId(page, 'settings-language').selectOption('en');
    await page.waitForFunction(() => document.querySelector('[data-testid="nav-services"]')?.textContent === 'Services', undefined, { timeout: 10_000 });

    await byTestId(page, 'settings-password-current').fill(PASSWORD);
    await byTestId(page, 'settings-password-new').fill(NEW_PASSWORD);
    await byTestId(page, 'settings-password-save').click();
    await visible(page, 'settings-password-saved');
    await shots.take(page, 'password-changed');

    await byTestId(page, 'logout').click();
    await visible(page, 'login-username');
    await byTestId(page, 'login-username').fill('admin');
    await byTestId(page, 'login-password').fill(PASSWORD);
    await byTestId(page, 'login-submit').click();
    assert.match((await (await visible(page, 'form-error')).textContent()) ?? '', /Wrong username or password/);
    await shots.take(page, 'login-old-password-refused');
    await byTestId(page, 'login-password').fill(NEW_PASSWORD);
    await byTestId(page, 'login-submit').click();
    await visible(page, 'dashboard', 15_000);
    assert.equal(await byTestId(page, 'current-user').textContent(), 'admin');
    assert.equal(await byTestId(page, 'nav-services').textContent(), 'Services', 'English was stored with the account');
  });

  step('10. at phone width nothing scrolls sideways', 60_000, async () => {
    await page.setViewportSize({ width: 360, height: 740 });
    await page.goto(`${node.baseUrl}/#/`);
    await visible(page, 'dashboard', 15_000);
    assert.deepEqual(await horizontalOverflow(page), { scrollWidth: 360, viewportWidth: 360 }, 'dashboard fits 360 px');
    await shots.take(page, 'phone-dashboard');
    await page.goto(moduleUrl());
    await visible(page, 'module-page', 15_000);
    await visible(page, 'module-state-not-installed');
    assert.deepEqual(await horizontalOverflow(page), { scrollWidth: 360, viewportWidth: 360 }, 'module page fits 360 px');
    await shots.take(page, 'phone-syncthing');
    assert.deepEqual(pageErrors, [], 'no uncaught errors in the panel');
  });
});
