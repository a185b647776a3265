// Steps and fixtures of the VPN end-to-end test: a peer announcing a VPN server, per-run network names, axe-core under vpn/, the host's interfaces.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomInt } from 'node:crypto';

import type { Page } from 'playwright-core';

import { encodeLegacyServicesTag } from '../../src/daemon/discovery/serf/legacy-services-tag.ts';
import { axeViolations, byTestId, saveArtifact } from './browser-harness.ts';

export const PEER_NAME = 'vpn-peer';
/** The peer's server, on loopback: the panel only shows its join URL and never connects to it. */
export const PEER_ADDRESS = '127.0.0.1';
export const PEER_PORT = 7443;
export const PEER_NETWORKS = ['alpha', 'beta_2'];
/** A plain Serf agent's 2015 tag announcing a VPN server with two networks, and one bad name the panel must drop. */
export const PEER_TAG = encodeLegacyServicesTag([
  { s: 'vpn-server', d: 'Community VPN', m: 'vpn-peer.lab.local', i: PEER_ADDRESS, p: String(PEER_PORT), e: 'eth0', t: `networks=${PEER_NETWORKS.join(',')},Bad;Name` },
]);

/**
 * This run's network: the node runs in this machine's own network namespace, so tincd makes an interface named
 * after the network here. A fresh name and a /24 from 10.231.0.0/16 per run keep runs (and the machine's routes) apart.
 */
export function runNetwork(): { name: string; subnet: string; firstAddress: string } {
  const third = randomInt(1, 255);
  return { name: `e2e${randomInt(100_000, 1_000_000)}`, subnet: `10.231.${third}.0/24`, firstAddress: `10.231.${third}.1` };
}

/** True while an interface of this name exists on this machine (`ip link show` fails for an unknown device). */
export const interfaceExists = (name: string): boolean => spawnSync('ip', ['link', 'show', 'dev', name], { stdio: 'ignore' }).status === 0;

export async function expectAccessible(page: Page, where: string): Promise<void> {
  const violations = await axeViolations(page);
  saveArtifact(`vpn/axe-${where}.json`, JSON.stringify(violations, null, 2));
  assert.deepEqual(violations, [], `axe-core violations on ${where}:\n${JSON.stringify(violations, null, 2)}`);
}

/** The message under a field and the field's ARIA state pointing at it. */
export async function expectFieldError(page: Page, inputTestId: string, field: string, pattern: RegExp): Promise<void> {
  const message = byTestId(page, `field-error-${field}`);
  await message.waitFor({ state: 'visible', timeout: 10_000 });
  assert.match(((await message.textContent()) ?? '').trim(), pattern);
  const input = byTestId(page, inputTestId);
  assert.equal(await input.getAttribute('aria-invalid'), 'true', `${inputTestId} is marked invalid`);
  assert.match((await input.getAttribute('aria-describedby')) ?? '', new RegExp(`field-error-${field}`));
}

/**
 * Runs a navigation (goto, reload) again when Chromium dropped it with net::ERR_NETWORK_CHANGED: interfaces come and
 * go on this machine while the test runs (tincd's, lab namespaces' veths), and Chromium aborts loads when they do.
 */
export async function navigation(load: () => Promise<unknown>, attempts = 3): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await load();
      return;
    } catch (error) {
      if (attempt >= attempts || !(error as Error).message.includes('ERR_NETWORK_CHANGED')) throw error;
    }
  }
}
