// Steps and fixtures of the discovery end-to-end test: a hostile peer's 2015 tag, Search rows, axe-core and phone-width checks, login.
import assert from 'node:assert/strict';

import type { Page } from 'playwright-core';

import { encodeLegacyServicesTag } from '../../src/daemon/discovery/serf/legacy-services-tag.ts';
import { axeViolations, byTestId, horizontalOverflow, saveArtifact, visible } from './browser-harness.ts';

export const PHONE = { width: 360, height: 740 };
export const HOSTILE_NAME = 'hostile-peer';
export const IMG_ATTACK = '<img src=x onerror=window.hacked=1>';
export const SCRIPT_ATTACK = '<script>window.hacked=2</script>';
const onHostile = { m: 'hostile.evil.local', i: '127.0.0.1', e: 'eth0' };
/** A plain Serf agent's 2015 `services` tag: markup in descriptions, a TXT with a newline, a port out of range, one good record. */
export const HOSTILE_TAG = encodeLegacyServicesTag([
  { ...onHostile, s: 'webdav', d: IMG_ATTACK, p: '8001', t: 'path=/a' },
  { ...onHostile, s: 'webdav', d: SCRIPT_ATTACK, p: '8002', t: '' },
  { ...onHostile, s: 'ftp', d: 'Notes with a newline', p: '8003', t: 'note=line1\nline2' },
  { ...onHostile, s: 'webdav', d: 'Bad port', p: '99999', t: '' },
  { ...onHostile, s: 'syncthing', d: 'Good peer files', p: '22000', t: 'id=ABC' },
]);

export interface RowData {
  key: string;
  type: string;
  description: string;
  port: string;
  text: string;
}

export const rows = (page: Page): Promise<RowData[]> =>
  byTestId(page, 'service-row').evaluateAll((elements) =>
    elements.map((row) => ({
      key: row.getAttribute('data-key') ?? '',
      type: row.getAttribute('data-type') ?? '',
      description: row.querySelector('.service-description')?.textContent ?? '',
      port: row.querySelector('[data-testid="service-port"]')?.textContent ?? '',
      text: row.textContent ?? '',
    })),
  );

export async function waitForRows(page: Page, accept: (rows: RowData[]) => boolean, what: string, timeoutMs = 15_000): Promise<RowData[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const current = await rows(page);
    if (accept(current)) return current;
    if (Date.now() > deadline) throw new Error(`${what}; rows now: ${JSON.stringify(current.map((row) => row.description))}`);
    await page.waitForTimeout(200);
  }
}

export async function expectAccessible(page: Page, where: string): Promise<void> {
  const violations = await axeViolations(page);
  saveArtifact(`discovery/axe-${where}.json`, JSON.stringify(violations, null, 2));
  assert.deepEqual(violations, [], `axe-core violations on ${where}:\n${JSON.stringify(violations, null, 2)}`);
}

export async function expectNoOverflow(page: Page, where: string): Promise<void> {
  const overflow = await horizontalOverflow(page);
  console.log(`overflow ${where}: ${JSON.stringify(overflow)}`);
  assert.deepEqual(overflow, { scrollWidth: PHONE.width, viewportWidth: PHONE.width }, `${where} fits ${PHONE.width} px`);
}

export async function logIn(page: Page, baseUrl: string, username: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await (await visible(page, 'login-username', 20_000)).fill(username);
  await byTestId(page, 'login-password').fill(password);
  await byTestId(page, 'login-submit').click();
  await visible(page, 'dashboard', 15_000);
}
