// What a user does on a module's page in the end-to-end test: run an action to its end, fill and save the config form.
import assert from 'node:assert/strict';

import type { Page } from 'playwright-core';

import type { Language } from '../../src/shared/api-contract.ts';
import { ca } from '../../src/web/i18n/ca.ts';
import { en } from '../../src/web/i18n/en.ts';
import { es } from '../../src/web/i18n/es.ts';
import { byTestId, visible } from './browser-harness.ts';

type ModuleAction = 'install' | 'start' | 'stop' | 'uninstall';

export type StateBadge = 'module-state-installed' | 'module-state-not-installed' | 'module-state-running' | 'module-state-stopped';

/** The progress card's heading for each operation, in the panel's language (src/web/i18n). */
const operationLabel = (action: ModuleAction, language: Language): string => ({ en, ca, es })[language][`operation.${action}`];

/** Clicks an action button (and the uninstall confirmation) and waits for its operation to end with the given badge. */
export async function runModuleAction(page: Page, action: ModuleAction, badge: StateBadge, timeoutMs: number, language: Language = 'en'): Promise<void> {
  await clickModuleAction(page, action);
  await waitForOperationEnd(page, action, badge, timeoutMs, language);
}

export async function clickModuleAction(page: Page, action: ModuleAction): Promise<void> {
  await (await visible(page, `module-${action}`)).click();
  if (action === 'uninstall') await (await visible(page, 'module-uninstall-confirm')).click();
  await visible(page, 'operation');
}

/**
 * Waits until this action's operation failed, or completed with the badge it leads to. The heading and the badge
 * together keep an earlier operation's "completed", still on screen for a moment, from passing for this one's.
 */
export async function waitForOperationEnd(page: Page, action: ModuleAction, badge: StateBadge, timeoutMs: number, language: Language = 'en'): Promise<void> {
  await page.waitForFunction(
    ({ expectedBadge, label }) => {
      const card = document.querySelector('[data-testid="operation"]');
      if (card?.querySelector('label')?.textContent !== label) return false;
      const state = card.getAttribute('data-state');
      return state === 'failed' || (state === 'completed' && document.querySelector(`[data-testid="${expectedBadge}"]`) !== null);
    },
    { expectedBadge: badge, label: operationLabel(action, language) },
    { timeout: timeoutMs, polling: 100 },
  );
  const state = await byTestId(page, 'operation').getAttribute('data-state');
  const failure = state === 'failed' ? await byTestId(page, 'operation-error').textContent() : '';
  assert.equal(state, 'completed', `${action} failed: ${failure}`);
  await visible(page, 'operation-completed');
  await visible(page, badge);
}

/** Reads the form's current inputs: text for text and number inputs, a flag for checkboxes. */
export async function configValues(page: Page, names: string[]): Promise<Record<string, string>> {
  const values: Record<string, string> = {};
  for (const name of names) values[name] = await byTestId(page, `config-field-${name}`).inputValue();
  return values;
}

export async function fillConfig(page: Page, values: Record<string, string>): Promise<void> {
  for (const [name, value] of Object.entries(values)) await byTestId(page, `config-field-${name}`).fill(value);
}

/** Saves the form and expects the server to refuse exactly these fields, each message shown under its input. */
export async function expectConfigRefused(page: Page, fields: Record<string, RegExp>): Promise<void> {
  const [reply] = await Promise.all([
    page.waitForResponse((response) => response.request().method() === 'PUT' && response.url().endsWith('/config')),
    byTestId(page, 'config-save').click(),
  ]);
  assert.equal(reply.status(), 400, 'the server refuses the settings');
  await visible(page, 'form-error');
  for (const [name, message] of Object.entries(fields)) {
    // An earlier refusal's message may still be on screen until this reply renders: wait for this one's text.
    await byTestId(page, `field-error-${name}`).filter({ hasText: message }).waitFor({ state: 'visible', timeout: 5_000 });
    const input = byTestId(page, `config-field-${name}`);
    assert.equal(await input.getAttribute('aria-invalid'), 'true', `${name} is marked invalid`);
    assert.match((await input.getAttribute('aria-describedby')) ?? '', new RegExp(`field-error-${name}`), `${name} points at its message`);
    // "Next to the field": the message sits in the same .field block as its input.
    const sameField = await input.evaluate((element, id) => element.closest('.field')?.querySelector(`[data-testid="${id}"]`) !== null, `field-error-${name}`);
    assert.ok(sameField, `the message for ${name} sits next to its input`);
  }
  assert.equal(await page.locator('[data-testid^="field-error-"]').count(), Object.keys(fields).length, 'only these fields are refused');
  assert.equal(await byTestId(page, 'config-saved').count(), 0, 'no "saved" message after a refusal');
}

/** Reloads the page and waits for the module's config form, as a returning user would see it. */
export async function reloadModulePage(page: Page): Promise<void> {
  await page.reload();
  await visible(page, 'config-form', 15_000);
}
