// The package on Debian 13 booted with systemd-nspawn, twice: in a rootfs this test builds (the .deb installed by apt,
// Syncthing's package at hand for a module) and in the template tarball as shipped. The panel comes up with a setup code
// and nothing else to do, as two hardened services; module daemons are units of their own; an administrator survives
// a restart of cloudyd, a reboot, an upgrade and a remove/reinstall; purge leaves nothing.
import assert from 'node:assert/strict';
import { copyFile, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { buildDebVersion, debField, ensureDeb, ensureTemplate, ensureTestRootfs, scratchDir } from '../support/boot-images.ts';
import { createLab, type Lab } from '../support/netns-lab.ts';
import { Container, extractRootfs } from '../support/nspawn-container.ts';
import { plainHttpGet, waitForHealth } from '../support/panel-health.ts';
import { PanelSession, rawRequest } from '../support/panel-session.ts';

const HTTP_PORT = 7000;
const HTTPS_PORT = 7443;
const ADMIN = { username: 'admin', password: 'correct horse battery' };

// Run inside the container by its own node: every process with its executable, user, resident memory and command line.
const PROCESS_LIST = `
const fs = require('node:fs');
const list = [];
for (const pid of fs.readdirSync('/proc').filter((name) => /^[0-9]+$/.test(name) && Number(name) !== process.pid)) {
  try {
    const status = fs.readFileSync('/proc/' + pid + '/status', 'utf8');
    const field = (name) => (new RegExp('^' + name + ':\\\\s+(.*)$', 'm').exec(status) || [])[1] || '';
    let exe = '';
    try { exe = fs.readlinkSync('/proc/' + pid + '/exe'); } catch {}
    list.push({ pid: Number(pid), exe, uids: field('Uid').split(/\\s+/).map(Number), rssKb: parseInt(field('VmRSS'), 10) || 0,
      cmdline: fs.readFileSync('/proc/' + pid + '/cmdline', 'utf8').split('\\0').filter(Boolean).join(' ') });
  } catch {}
}
console.log(JSON.stringify(list));
`;
// Run inside the container as root: one call over the helper's socket, printing its result.
const HELPER_CALL = `
const socket = require('node:net').connect('/run/cloudy/helper.sock');
socket.write(JSON.stringify({ id: 1, action: process.argv[1], args: JSON.parse(process.argv[2]) }) + '\\n');
let buffer = '';
socket.on('data', (chunk) => {
  buffer += chunk;
  for (const line of buffer.split('\\n').slice(0, -1)) {
    const reply = JSON.parse(line);
    if (reply.type !== 'result') continue;
    if (!reply.ok) { console.error(JSON.stringify(reply)); process.exit(1); }
    console.log(JSON.stringify(reply.result));
    process.exit(0);
  }
});
`;
interface ProcessInfo { pid: number; exe: string; uids: number[]; rssKb: number; cmdline: string }

const exists = (file: string): Promise<boolean> => stat(file).then(() => true, () => false);

const IMAGES = [
  { title: 'a Debian 13 rootfs with the .deb installed, booted with systemd-nspawn', image: ensureTestRootfs, hasSyncthing: true },
  { title: 'the rootfs template, booted with systemd-nspawn', image: ensureTemplate, hasSyncthing: false },
];

for (const { title, image, hasSyncthing } of IMAGES) describe(title, { timeout: 600_000, skip: process.getuid?.() !== 0 && 'needs root for systemd-nspawn and network namespaces' }, () => {
  let lab: Lab;
  let rootfs: string;
  let scratch: string;
  let container: Container | undefined;
  let baseUrl: string;
  let deb: string;

  const inside = () => { assert.ok(container, 'the container is not running'); return container; };
  async function boot(): Promise<number> {
    const started = Date.now();
    container = await Container.boot(rootfs, lab.hosts[0]!.netns);
    try {
      await waitForHealth(baseUrl);
    } catch (error) {
      const journal = await container.exec(['journalctl', '--no-pager', '-n', '60', '-u', 'cloudy-helper', '-u', 'cloudyd']);
      throw new Error(`${(error as Error).message}\n${journal.stdout}`);
    }
    return Date.now() - started;
  }
  async function poweroff(): Promise<void> {
    const running = container;
    container = undefined;
    await running?.poweroff();
  }
  async function signsIn(): Promise<void> {
    const session = new PanelSession(baseUrl);
    assert.equal((await session.login(ADMIN.username, ADMIN.password)).status, 200, 'the administrator signs in');
  }
  async function apt(...args: string[]): Promise<void> {
    await inside().check(['apt-get', '-y', '-o', 'DPkg::Lock::Timeout=60', ...args], { timeoutMs: 180_000, env: { DEBIAN_FRONTEND: 'noninteractive' } });
  }

  before(async () => {
    deb = await ensureDeb();
    const template = await image(deb);
    scratch = await scratchDir('boot-template');
    rootfs = path.join(scratch, 'rootfs');
    await extractRootfs(template, rootfs);
    lab = await createLab(1, { namePrefix: 'boot', reachableFromHost: true });
    baseUrl = `https://${lab.hosts[0]!.address}:${HTTPS_PORT}`;
  });

  after(async () => {
    // The container first: it lives in the lab's namespace, which the lab's teardown empties by force.
    await container?.destroy();
    await lab?.destroy();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  test('boots to the panel, which a setup code alone completes', async (t) => {
    const bootToHealthMs = await boot();
    t.diagnostic(`boot→health ${bootToHealthMs} ms (systemd finished booting after ${inside().bootMs} ms)`);
    const redirect = await plainHttpGet(`http://${lab.hosts[0]!.address}:${HTTP_PORT}/`);
    assert.equal(redirect.status, 308);
    assert.match(redirect.location ?? '', new RegExp(`^https://[^/]+:${HTTPS_PORT}/`));
    assert.equal((await waitForHealth(baseUrl)).setupRequired, true);

    const setupCode = (await inside().check(['cat', '/etc/cloudy/setup-code'])).trim();
    assert.ok(setupCode.length > 0, 'a setup code is stored');
    const journal = await inside().check(['journalctl', '--no-pager', '--output', 'cat', '--unit', 'cloudyd']);
    assert.ok(journal.includes(`enter the setup code ${setupCode}`), `the journal shows the setup code:\n${journal}`);
    const session = new PanelSession(baseUrl);
    assert.equal((await session.setup(setupCode, ADMIN.username, ADMIN.password)).status, 200);
    assert.equal((await waitForHealth(baseUrl)).setupRequired, false);
    assert.equal(await exists(path.join(rootfs, 'etc/cloudy/setup-code')), false, 'the used setup code is removed');
  });

  test('runs as two hardened systemd services, cloudyd as the user cloudy, and no launcher', async (t) => {
    const active = await inside().exec(['systemctl', 'is-active', 'cloudy-helper', 'cloudyd']);
    assert.deepEqual(active.stdout.trim().split('\n'), ['active', 'active'], active.stdout + active.stderr);

    const mainPid = async (unit: string) => Number((await inside().check(['systemctl', 'show', '-p', 'MainPID', '--value', unit])).trim());
    const [helperPid, cloudydPid] = [await mainPid('cloudy-helper'), await mainPid('cloudyd')];
    const cloudyUid = Number((await inside().check(['id', '-u', 'cloudy'])).trim());
    assert.notEqual(cloudyUid, 0);

    const hardening = await inside().check(['systemctl', 'show', 'cloudyd', '-p', 'NoNewPrivileges', '-p', 'ProtectSystem', '-p', 'CapabilityBoundingSet']);
    const properties = Object.fromEntries(hardening.trim().split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
    assert.deepEqual(properties, { NoNewPrivileges: 'yes', ProtectSystem: 'strict', CapabilityBoundingSet: '' });

    await sleep(5000); // idle: start-up garbage collected, no request in flight
    const processes = JSON.parse(await inside().check(['node', '-e', PROCESS_LIST])) as ProcessInfo[];
    const nodes = processes.filter((info) => /\/node(js)?$/.test(info.exe));
    assert.deepEqual(nodes.map((info) => info.pid).sort((a, b) => a - b), [helperPid, cloudydPid].sort((a, b) => a - b),
      `exactly the two services run node:\n${nodes.map((info) => `${info.pid} ${info.cmdline}`).join('\n')}`);
    const helper = nodes.find((info) => info.pid === helperPid)!;
    const cloudyd = nodes.find((info) => info.pid === cloudydPid)!;
    assert.deepEqual(helper.uids, [0, 0, 0, 0], 'the helper runs as root');
    assert.deepEqual(cloudyd.uids, [cloudyUid, cloudyUid, cloudyUid, cloudyUid], 'cloudyd runs as cloudy (real, effective, saved, filesystem)');
    // `cloudy start` by hand next to the services would take their socket and ports: it refuses.
    const second = await inside().exec(['cloudy', 'start'], { timeoutMs: 60_000 });
    assert.equal(second.code, 78, `cloudy start next to the services exits 78:\n${second.stdout}${second.stderr}`);
    assert.match(second.stderr, /already runs under \/ .*systemctl status cloudyd/);
    assert.equal((await inside().check(['systemctl', 'show', '-p', 'MainPID', '--value', 'cloudy-helper'])).trim(), String(helperPid), 'the service was not disturbed');
    t.diagnostic(`idle RSS: cloudy-helper ${(helper.rssKb / 1024).toFixed(1)} MB, cloudyd ${(cloudyd.rssKb / 1024).toFixed(1)} MB`);
  });

  // Only where the image holds a module's package: the template has none, and its container has no network for apt.
  if (hasSyncthing) test('a module is installed and started through Cloudy and runs as its own unit; restarting cloudyd keeps the administrator', async () => {
    const cloudy = (...args: string[]) => inside().check(['cloudy', ...args], { timeoutMs: 180_000 });
    await cloudy('module', 'install', 'syncthing');
    await cloudy('module', 'start', 'syncthing');
    const unit = 'cloudy-syncthing-syncthing.service';
    assert.equal((await inside().exec(['systemctl', 'is-active', unit])).stdout.trim(), 'active');
    const syncthingPid = Number((await inside().check(['systemctl', 'show', '-p', 'MainPID', '--value', unit])).trim());
    const processes = JSON.parse(await inside().check(['node', '-e', PROCESS_LIST])) as ProcessInfo[];
    const syncthingUid = Number((await inside().check(['id', '-u', 'cloudy-syncthing'])).trim());
    assert.equal(processes.find((info) => info.pid === syncthingPid)?.uids[0], syncthingUid, 'Syncthing runs as its own user');
    const shown = JSON.parse(await cloudy('--json', 'module', 'show', 'syncthing')) as { state: { running: boolean; daemons: Array<{ pid: number | null }> } };
    assert.equal(shown.state.running, true);
    assert.equal(shown.state.daemons[0]?.pid, syncthingPid, 'the panel reports the process of the unit');

    await inside().check(['systemctl', 'stop', 'cloudyd']);
    await assert.rejects(rawRequest(baseUrl, 'GET', '/api/health'), 'cloudyd is stopped');
    assert.equal((await inside().exec(['systemctl', 'is-active', unit])).stdout.trim(), 'active', 'the module does not depend on cloudyd running');
    await inside().check(['systemctl', 'start', 'cloudyd']);
    assert.equal((await waitForHealth(baseUrl)).setupRequired, false);
    await signsIn();
    await cloudy('module', 'stop', 'syncthing');
    assert.notEqual((await inside().exec(['systemctl', 'is-active', unit])).stdout.trim(), 'active', 'stopping the module stops its unit');
  });

  test("module daemons are systemd units the helper makes: discovery's Serf agent, with its logs from the journal", async (t) => {
    const unit = 'cloudy-discovery-serf.service';
    const mainPid = async () => Number((await inside().check(['systemctl', 'show', '-p', 'MainPID', '--value', unit])).trim());
    const deadline = Date.now() + 60_000;
    while ((await inside().exec(['systemctl', 'is-active', unit])).stdout.trim() !== 'active') {
      if (Date.now() > deadline) assert.fail(`${unit} is not active:\n${(await inside().exec(['journalctl', '--no-pager', '-n', '40', '-u', 'cloudyd', '-u', 'cloudy-helper', '-u', unit])).stdout}`);
      await sleep(500);
    }
    const serfPid = await mainPid();
    const serfUid = Number((await inside().check(['id', '-u', 'cloudy-serf'])).trim());
    const processes = JSON.parse(await inside().check(['node', '-e', PROCESS_LIST])) as ProcessInfo[];
    assert.equal(processes.find((info) => info.pid === serfPid)?.uids[0], serfUid, 'the agent runs as its own user');
    assert.match(await inside().check(['systemctl', 'show', '-p', 'Restart', '--value', unit]), /^on-failure$/m);

    // The helper's own protocol, as root inside: its supervisor reads the unit's journal.
    const logs = JSON.parse(await inside().check(['node', '-e', HELPER_CALL, 'discovery.agentLogs', '{"limit":50}'])) as Array<{ source: string; text: string }>;
    assert.ok(logs.some((line) => line.source === 'supervisor' && /Started|Starting/.test(line.text)), `systemd's own lines:\n${JSON.stringify(logs)}`);
    assert.ok(logs.some((line) => /serf|agent/i.test(line.text) && line.source !== 'supervisor'), `the agent's output:\n${JSON.stringify(logs)}`);

    // A restarted helper (an upgrade does this) leaves the unit running; the CLI still finds the agent.
    await inside().check(['systemctl', 'restart', 'cloudy-helper']);
    await waitForHealth(baseUrl);
    assert.equal(await mainPid(), serfPid, 'the agent was not restarted with the helper');
    type DiscoveryStatus = { backends: { serf: { state: string; detail?: string } } };
    const serfBackend = async () => (JSON.parse(await inside().check(['cloudy', '--json', 'discovery', 'status'])) as DiscoveryStatus).backends.serf;
    const serfDeadline = Date.now() + 30_000;
    while ((await serfBackend()).state !== 'running' && Date.now() < serfDeadline) await sleep(500);
    const serf = await serfBackend();
    assert.equal(serf.state, 'running', `cloudyd reaches the agent through the restarted helper: ${JSON.stringify(serf)}`);
    t.diagnostic(`Serf backend after the helper restart: ${JSON.stringify(serf)}`);
  });

  test('after a reboot the panel is back with the same administrator and no new setup code', async (t) => {
    await poweroff();
    const bootToHealthMs = await boot();
    t.diagnostic(`second boot→health ${bootToHealthMs} ms`);
    assert.equal((await waitForHealth(baseUrl)).setupRequired, false);
    assert.equal(await exists(path.join(rootfs, 'etc/cloudy/setup-code')), false);
    await signsIn();
  });

  test('upgrades with apt, keeps its data on remove, serves again on reinstall, leaves nothing on purge', async (t) => {
    const newVersion = `${await debField(deb, 'Version')}+test1`;
    const buildStarted = Date.now();
    const upgrade = await buildDebVersion(newVersion, scratch);
    t.diagnostic(`building ${path.basename(upgrade)} took ${Date.now() - buildStarted} ms`);
    await copyFile(upgrade, path.join(rootfs, 'root/new.deb'));
    // A browser signed in before the upgrade is still signed in after it: sessions live in the database, not in memory.
    const before = new PanelSession(baseUrl);
    assert.equal((await before.login(ADMIN.username, ADMIN.password)).status, 200);

    await apt('install', '/root/new.deb');
    assert.equal((await inside().check(['dpkg-query', '-W', '-f', '${Version}', 'cloudy'])).trim(), newVersion);
    assert.equal((await waitForHealth(baseUrl)).setupRequired, false);
    assert.equal((await before.request('GET', '/api/node')).status, 200, 'the session from before the upgrade still works');
    await signsIn();

    await apt('remove', 'cloudy');
    const stopped = await inside().exec(['systemctl', 'is-active', 'cloudy-helper', 'cloudyd']);
    assert.doesNotMatch(stopped.stdout, /^active$/m, 'both services stopped');
    await assert.rejects(rawRequest(baseUrl, 'GET', '/api/health'), 'nothing serves the panel any more');
    assert.ok(await exists(path.join(rootfs, 'var/lib/cloudy/cloudy.db')), 'the database is kept');
    assert.ok(await exists(path.join(rootfs, 'etc/cloudy/cloudy.conf')), 'the settings are kept');

    await apt('install', '/root/new.deb');
    assert.equal((await waitForHealth(baseUrl)).setupRequired, false);
    await signsIn();

    await apt('purge', 'cloudy');
    assert.equal(await exists(path.join(rootfs, 'var/lib/cloudy')), false, '/var/lib/cloudy is gone');
    assert.equal(await exists(path.join(rootfs, 'etc/cloudy')), false, '/etc/cloudy is gone');
    await rm(path.join(rootfs, 'root/new.deb'));
  });

  test('powers off cleanly', async () => {
    await poweroff();
    const mounts = await readFile('/proc/mounts', 'utf8');
    assert.ok(!mounts.includes(rootfs), `nothing of the container stays mounted:\n${mounts}`);
  });
});
