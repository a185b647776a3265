// scripts/install-cloudy.sh on real Debian systems: it refuses Debian 12's Node.js 18 and a busy panel port before
// changing anything (exit 1), and turns a fresh Debian 13 into a serving node (exit 0), again as an upgrade.
import assert from 'node:assert/strict';
import { copyFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { dependenciesOf, ensureDeb, ensurePlainRootfs, scratchDir } from '../support/boot-images.ts';
import { repoDir } from '../support/cloudy-node.ts';
import { createLab, type Lab } from '../support/netns-lab.ts';
import { Container, extractRootfs, runProgram } from '../support/nspawn-container.ts';
import { waitForHealth } from '../support/panel-health.ts';

const HTTPS_PORT = 7443;
const INSTALLER = path.join(repoDir, 'scripts/install-cloudy.sh');
// A stand-in for another program on the panel's port: constant code, run as a transient unit of the container.
const PORT_SQUATTER = `require('node:net').createServer().listen(${HTTPS_PORT})`;

const exists = (file: string): Promise<boolean> => stat(file).then(() => true, () => false);

/** Puts the installer and the package where the container sees them: /root/install-cloudy.sh, /root/cloudy.deb. */
async function copyInstaller(rootfs: string, deb: string): Promise<void> {
  await copyFile(INSTALLER, path.join(rootfs, 'root/install-cloudy.sh'));
  await copyFile(deb, path.join(rootfs, 'root/cloudy.deb'));
}
const INSTALL = ['bash', '/root/install-cloudy.sh', '--deb', '/root/cloudy.deb'];

describe('install-cloudy.sh', { timeout: 600_000, skip: process.getuid?.() !== 0 && 'needs root for systemd-nspawn and network namespaces' }, () => {
  let deb: string;
  let trixie: string;
  let bookworm: string;
  let scratch: string;
  let lab: Lab;
  let container: Container | undefined;
  let rootfs: string;

  const inside = () => { assert.ok(container, 'the container is not running'); return container; };

  before(async () => {
    deb = await ensureDeb();
    // Debian 13 with what the package depends on, so apt installs it without network; Debian 12 with its nodejs 18.
    [trixie, bookworm] = await Promise.all([ensurePlainRootfs('trixie', await dependenciesOf(deb)), ensurePlainRootfs('bookworm', ['nodejs'])]);
    scratch = await scratchDir('boot-installer');
    lab = await createLab(1, { namePrefix: 'inst', reachableFromHost: true });
  });

  after(async () => {
    await container?.destroy();
    await lab?.destroy();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  test('refuses Debian 12 with its Node.js 18, naming what to install, and changes nothing', async () => {
    const oldRootfs = path.join(scratch, 'bookworm');
    await extractRootfs(bookworm, oldRootfs);
    await copyInstaller(oldRootfs, deb);
    // No boot needed: nspawn as a chroot that mounts /proc itself (and unmounts it), with a network of its own.
    const result = await runProgram(['systemd-nspawn', '--quiet', '-D', oldRootfs, '--register=no', '--keep-unit', '--private-network',
      '--console=pipe', '--', ...INSTALL], { timeoutMs: 60_000 });
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(result.stderr, /Node\.js v18\.[\d.]+ is too old: Cloudy needs Node\.js >= 20/);
    assert.match(result.stderr, /Nothing was changed/);
    assert.equal(await exists(path.join(oldRootfs, 'var/lib/dpkg/info/cloudy.list')), false, 'the package is not installed');
    assert.equal(await exists(path.join(oldRootfs, 'etc/cloudy')), false);
    await rm(oldRootfs, { recursive: true, force: true });
  });

  test('refuses a fresh Debian 13 while another program listens on port 7443, and changes nothing', async () => {
    rootfs = path.join(scratch, 'trixie');
    await extractRootfs(trixie, rootfs);
    await copyInstaller(rootfs, deb);
    container = await Container.boot(rootfs, lab.hosts[0]!.netns);
    await inside().check(['systemd-run', '--quiet', '--unit=port-squatter', 'node', '-e', PORT_SQUATTER]);
    for (let tries = 0; (await inside().check(['ss', '-Hltn', `sport = :${HTTPS_PORT}`])).trim() === ''; tries++) {
      assert.ok(tries < 100, 'the squatter listens');
      await sleep(100);
    }

    const result = await inside().exec(INSTALL, { timeoutMs: 60_000 });
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(result.stderr, /TCP port 7443 is in use by another program/);
    assert.doesNotMatch(result.stderr, /port 7000 is in use/);
    assert.match(result.stderr, /Nothing was changed/);
    assert.notEqual((await inside().exec(['dpkg-query', '-W', 'cloudy'])).code, 0, 'the package is not installed');
    assert.equal(await exists(path.join(rootfs, 'etc/cloudy')), false);
    await inside().check(['systemctl', 'stop', 'port-squatter']);
  });

  test('turns the same fresh Debian 13 into a node that serves its panel, and prints its setup code', async (t) => {
    const started = Date.now();
    const result = await inside().exec(INSTALL, { timeoutMs: 240_000 });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    t.diagnostic(`install-cloudy.sh took ${Date.now() - started} ms`);
    const address = lab.hosts[0]!.address;
    assert.match(result.stdout, new RegExp(`Panel: https://${address.replaceAll('.', '\\.')}:${HTTPS_PORT}/`));
    const setupCode = (await inside().check(['cat', '/etc/cloudy/setup-code'])).trim();
    assert.match(result.stdout, new RegExp(`install-cloudy: Setup code: ${setupCode}\\n`));
    assert.equal((await waitForHealth(`https://${address}:${HTTPS_PORT}`)).setupRequired, true);
  });

  test('run again on an installed node, it upgrades (reinstalls) instead of refusing the busy ports', async () => {
    const result = await inside().exec(INSTALL, { timeoutMs: 240_000 });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /is installed and running: installing [^ ]+ upgrades it/);
    assert.equal((await waitForHealth(`https://${lab.hosts[0]!.address}:${HTTPS_PORT}`)).setupRequired, true);
    const running = container;
    container = undefined;
    await running?.poweroff();
  });
});
