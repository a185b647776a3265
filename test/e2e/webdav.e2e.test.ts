// The WebDAV story, as a Catalan-speaking owner lives it: set the node up in Catalan, install WebDAV, add a user and a
// share, read every word of it in Catalan, then upload a file with a real WebDAV client (cadaver).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe } from 'node:test';

import type { Browser, Page } from 'playwright-core';

import { webdavManifest } from '../../src/modules/webdav/manifest.ts';
import { webdavTranslations } from '../../src/modules/webdav/translations.ts';
import { freePort, startCloudyNode, type StartedNode } from '../support/cloudy-node.ts';
import { dpkgInstalled } from '../support/module-lifecycle.ts';
import { axeViolations, byTestId, horizontalOverflow, launchChromium, newPanelContext, saveArtifact, ScreenshotBook, storySteps, visible, watchPage } from './browser-harness.ts';
import { englishLeftovers, panelText } from './language-steps.ts';
import { runModuleAction } from './module-page-steps.ts';

const PASSWORD = 'correct horse battery';
const ANNA_PASSWORD = 'anna-secret-password';
const INSTALL_TIMEOUT_MS = 180_000;

describe('WebDAV end to end, in Catalan', { timeout: 900_000 }, () => {
  let node: StartedNode;
  let browser: Browser;
  let page: Page;
  let shots: ScreenshotBook;
  let port = 0;
  const pageErrors: string[] = [];
  const dialogs: string[] = [];
  const step = storySteps();

  before(async () => {
    // The install must really run apt.
    const installed = webdavManifest.packages.filter(dpkgInstalled);
    if (installed.length > 0) execFileSync('apt-get', ['remove', '-y', ...installed], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    shots = new ScreenshotBook('webdav');
    node = await startCloudyNode();
    browser = await launchChromium();
    page = watchPage(await (await newPanelContext(browser)).newPage(), pageErrors, dialogs);
  });

  after(async () => {
    if (node) saveArtifact('webdav-node-output.log', node.output());
    await browser?.close();
    await node?.stop();
  });

  step('1. the owner sets the node up in Catalan', 60_000, async () => {
    await page.goto(`${node.baseUrl}/`);
    await (await visible(page, 'setup-language', 20_000)).selectOption('ca');
    await byTestId(page, 'setup-code').fill(node.setupCode());
    await byTestId(page, 'setup-username').fill('admin');
    await byTestId(page, 'setup-password').fill(PASSWORD);
    await byTestId(page, 'setup-submit').click();
    await visible(page, 'dashboard', 15_000);
    assert.equal(await byTestId(page, 'nav-services').textContent(), 'Serveis');
  });

  step('2. WebDAV, found in the catalogue in Catalan, installs with apt', INSTALL_TIMEOUT_MS + 30_000, async () => {
    await byTestId(page, 'nav-services').click();
    const card = await visible(page, 'module-card-webdav');
    assert.match((await card.textContent()) ?? '', /unitats de xarxa/);
    assert.equal(await byTestId(page, 'module-category-webdav').textContent(), 'Categoria: Emmagatzematge');
    await byTestId(page, 'module-link-webdav').click();
    await visible(page, 'module-state-not-installed');
    await runModuleAction(page, 'install', 'module-state-stopped', INSTALL_TIMEOUT_MS, 'ca');
    for (const name of webdavManifest.packages) assert.ok(dpkgInstalled(name), `${name} installed`);
  });

  step('3. a port, a start, a user and a share, all from the page', 120_000, async () => {
    port = await freePort();
    await byTestId(page, 'config-field-port').fill(String(port));
    await byTestId(page, 'config-save').click();
    await visible(page, 'config-saved');
    await runModuleAction(page, 'start', 'module-state-running', 60_000, 'ca');

    await byTestId(page, 'item-users-name').fill('anna');
    await byTestId(page, 'item-users-password').fill(ANNA_PASSWORD);
    await byTestId(page, 'collection-users-save').click();
    await visible(page, 'item-users-anna');
    await byTestId(page, 'item-shares-name').fill('fotos');
    await byTestId(page, 'item-shares-readWriteUsers').fill('anna');
    await byTestId(page, 'collection-shares-save').click();
    await visible(page, 'item-shares-fotos');
    assert.equal(await byTestId(page, 'collection-shares-done').textContent(), 'fotos desat.');
    // The running server took it: the page follows the operation that applied it to its end.
    await page.waitForFunction(() => document.querySelector('[data-testid="operation"]')?.getAttribute('data-state') === 'completed', undefined, { timeout: 30_000 });
    // A share naming someone who does not exist is refused on that field, in Catalan.
    await byTestId(page, 'item-shares-name').fill('altres');
    await byTestId(page, 'item-shares-readWriteUsers').fill('mallory');
    await byTestId(page, 'collection-shares-save').click();
    assert.equal(await (await visible(page, 'field-error-readWriteUsers')).textContent(), 'No existeix: mallory.');
    await shots.take(page, 'webdav-catalan');
  });

  step('4. every word on the page is Catalan; it has no accessibility violations and fits a phone', 60_000, async () => {
    await page.reload();
    await visible(page, 'item-shares-fotos');
    const text = await panelText(page);
    saveArtifact('webdav-page-catalan.txt', text);
    assert.deepEqual(englishLeftovers(text, webdavTranslations), [], 'no English word left');
    for (const catalan of ['Recursos compartits', 'Usuaris', 'Port HTTPS', 'Poden llegir i escriure', 'Contrasenya']) assert.ok(text.includes(catalan), catalan);
    assert.deepEqual(await axeViolations(page), [], 'no axe-core violations');
    await page.setViewportSize({ width: 360, height: 740 });
    assert.deepEqual(await horizontalOverflow(page), { scrollWidth: 360, viewportWidth: 360 });
    await shots.take(page, 'webdav-phone');
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  step('5. anna uploads a file with a WebDAV client, and reads it back', 60_000, async () => {
    // cadaver logs in from ~/.netrc (no password in argv). Its TLS library (neon on GnuTLS) trusts only the system's CAs
    // and asks about the node's self-signed certificate on a terminal: script(1) gives it one, and the answer is "y".
    const home = mkdtempSync(path.join(os.tmpdir(), 'cadaver-'));
    try {
      writeFileSync(path.join(home, '.netrc'), `machine localhost login anna password ${ANNA_PASSWORD}\n`, { mode: 0o600 });
      writeFileSync(path.join(home, 'holiday.txt'), 'photos from the mountain\n');
      writeFileSync(path.join(home, 'script'), 'put holiday.txt\nls\nget holiday.txt back.txt\nquit\n');
      const command = `cadaver --rcfile=script https://localhost:${port}/fotos/`;
      const result = spawnSync('script', ['--quiet', '--return', '--command', command, '/dev/null'], { cwd: home, env: { ...process.env, HOME: home }, input: 'y\n', encoding: 'utf8', timeout: 30_000 });
      saveArtifact('webdav-cadaver.txt', `${result.stdout}\n${result.stderr}`);
      assert.equal(result.status, 0, result.stdout);
      assert.match(result.stdout, /Uploading holiday\.txt to `\/fotos\/holiday\.txt':[^`]*100\.0% of 25 bytes succeeded\./, result.stdout);
      assert.match(result.stdout, /holiday\.txt\s+25/);
      assert.equal(readFileSync(path.join(home, 'back.txt'), 'utf8'), 'photos from the mountain\n');
      assert.equal(readFileSync(path.join(node.root, 'srv/cloudy/webdav/fotos/holiday.txt'), 'utf8'), 'photos from the mountain\n', 'it is in the share’s folder');
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
    assert.deepEqual(pageErrors, []);
    assert.deepEqual(dialogs, []);
  });
});
