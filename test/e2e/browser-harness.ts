// Drives Debian's Chromium through playwright-core for the panel's end-to-end tests: launch, test ids, screenshots, axe-core.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import path from 'node:path';

import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';

import { repoDir } from '../support/cloudy-node.ts';

export const artifactsDir = path.join(repoDir, 'test-artifacts/e2e');

/** Debian's own Chromium: the test never downloads a browser. */
const CHROMIUM_PATH = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'];

export const launchChromium = (): Promise<Browser> => chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });

/** A context that accepts the node's self-signed certificate. */
export const newPanelContext = (browser: Browser, viewport = { width: 1280, height: 900 }): Promise<BrowserContext> =>
  browser.newContext({ ignoreHTTPSErrors: true, viewport, locale: 'en-US' });

/**
 * Records the page's uncaught errors and Content-Security-Policy violations (Chromium reports them as console
 * errors) and dismisses (and records) every dialog: tests assert both stay empty.
 */
export function watchPage(page: Page, pageErrors: string[], dialogs: string[]): Page {
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) pageErrors.push(`CSP violation: ${message.text()}`);
  });
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  return page;
}

export const byTestId = (page: Page, testId: string): Locator => page.locator(`[data-testid="${testId}"]`);

/** Waits until the element with this test id is visible and returns it. */
export async function visible(page: Page, testId: string, timeout = 10_000): Promise<Locator> {
  const locator = byTestId(page, testId);
  await locator.waitFor({ state: 'visible', timeout });
  return locator;
}

/**
 * The value of the input with this test id once it equals `expected`, or what it holds after `timeout`.
 * Forms fill themselves in an effect on the render after a click or an input event, so reading at once races it.
 */
export async function settledInputValue(page: Page, testId: string, expected: string, timeout = 5_000): Promise<string> {
  const field = byTestId(page, testId);
  await page
    .waitForFunction(([id, value]) => (document.querySelector(`[data-testid="${id}"]`) as HTMLInputElement | null)?.value === value, [testId, expected] as const, { timeout })
    .catch(() => undefined);
  return field.inputValue();
}

/** Waits until no element with this test id is attached. */
export async function gone(page: Page, testId: string, timeout = 10_000): Promise<void> {
  await byTestId(page, testId).waitFor({ state: 'detached', timeout });
}

/**
 * Numbered screenshots, in story order: test-artifacts/e2e/NN-step-name.png, or test-artifacts/e2e/<subdirectory>/NN-….
 * A book empties its own directory first; the top-level book keeps the subdirectories, which other test files own.
 */
export class ScreenshotBook {
  private count = 0;
  readonly files: string[] = [];
  readonly dir: string;

  constructor(subdirectory?: string) {
    this.dir = subdirectory === undefined ? artifactsDir : path.join(artifactsDir, subdirectory);
    mkdirSync(this.dir, { recursive: true });
    for (const entry of readdirSync(this.dir, { withFileTypes: true })) {
      if (subdirectory === undefined && entry.isDirectory()) continue;
      rmSync(path.join(this.dir, entry.name), { recursive: true, force: true });
    }
  }

  async take(page: Page, name: string): Promise<void> {
    this.count += 1;
    const file = path.join(this.dir, `${String(this.count).padStart(2, '0')}-${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    this.files.push(path.relative(repoDir, file));
  }
}

export function saveArtifact(name: string, text: string): void {
  writeFileSync(path.join(artifactsDir, name), text);
}

/**
 * Records every value the operation's <progress> takes, from inside the page: a MutationObserver catches each
 * render and a 50 ms timer backs it up, so no intermediate apt step is missed between two test-side polls.
 * Given as text because tsx would wrap a function's inner functions in its own `__name` helper, absent in the page.
 */
const PROGRESS_RECORDER = `{
  const seen = (window.progressSeen = []);
  const record = () => {
    const bar = document.querySelector('[data-testid="module-progress"]');
    if (bar !== null && seen[seen.length - 1] !== bar.value) seen.push(bar.value);
  };
  new MutationObserver(record).observe(document.documentElement, { subtree: true, childList: true, attributes: true, characterData: true });
  setInterval(record, 50);
}`;

export async function recordProgressValues(page: Page): Promise<() => Promise<number[]>> {
  await page.evaluate(PROGRESS_RECORDER);
  return () => page.evaluate(() => (window as unknown as { progressSeen: number[] }).progressSeen);
}

/** The page is no wider than the viewport: nothing scrolls sideways on a phone. */
export const horizontalOverflow = (page: Page): Promise<{ scrollWidth: number; viewportWidth: number }> =>
  page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, viewportWidth: window.innerWidth }));

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

const axeSource = readFileSync(path.join(path.dirname(createRequire(import.meta.url).resolve('axe-core')), 'axe.min.js'), 'utf8');
// Text for the same reason as PROGRESS_RECORDER: no tsx helpers inside the page.
const AXE_RUN = `axe.run(document, { resultTypes: ['violations'] }).then((result) => result.violations.map((violation) => ({
  id: violation.id, impact: violation.impact, help: violation.help,
  nodes: violation.nodes.map((node) => node.target.join(' ') + ': ' + node.failureSummary),
})))`;

/** Every axe-core violation on the page as it is now (all rules axe runs by default: WCAG A/AA and best practices). */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated through the DevTools protocol, which the panel's Content-Security-Policy does not govern: a <script>
  // tag with the source inline would be refused, and the policy must stay as the panel gets it.
  if (!(await page.evaluate('typeof window.axe !== "undefined"'))) await page.evaluate(axeSource);
  return page.evaluate(AXE_RUN) as Promise<AxeViolation[]>;
}

/**
 * Steps of one story in one browser: once a step fails (or times out), the later ones would only fail on its
 * leftovers, so they skip, naming the step that did not pass.
 */
export function storySteps(): (name: string, timeout: number, body: () => Promise<void>) => void {
  let unfinishedStep: string | null = null;
  return (name, timeout, body) => {
    test(name, { timeout }, async (t) => {
      if (unfinishedStep !== null) return t.skip(`"${unfinishedStep}" did not pass`);
      unfinishedStep = name;
      await body();
      unfinishedStep = null;
    });
  };
}
