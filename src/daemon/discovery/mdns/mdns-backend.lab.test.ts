// Lab test of the mDNS backend in network namespaces: publish/browse/withdraw, avahi interop both ways, hostile input, expiry.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

import { startAvahi } from '../../../../test/support/avahi-lab.ts';
import { createLab, type Lab, type LabHost, type LabProcess } from '../../../../test/support/netns-lab.ts';
import { avahiServiceFile, avahiServiceFileName } from '../../../helper/actions/avahi-service-file.ts';
import type { MdnsAdvert, MdnsBackendOptions, MdnsSighting, MdnsStats } from './mdns-backend.ts';

const needsRoot = { skip: process.getuid?.() !== 0 && 'needs root to create network namespaces' };
const PROBE_SCRIPT = fileURLToPath(new URL('./mdns-probe-script.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
const SYNCTHING: MdnsAdvert = { name: 'Syncthing on h1', type: 'syncthing', protocol: 'tcp', port: 22000, txt: { node_id: 'ABC', 'cloudy-node': 'n1' } };

interface ProbeEvent { event: string; t: number; sighting?: MdnsSighting; gone?: { name: string; type: string }; message?: string }
interface Probe {
  child: LabProcess;
  events(): ProbeEvent[];
  waitFor(what: string, match: (event: ProbeEvent) => boolean, timeoutMs?: number): Promise<ProbeEvent>;
  call<T = unknown>(command: object): Promise<T>;
}

async function eventually<T>(what: string, attempt: () => T | undefined | Promise<T | undefined>, timeoutMs: number, explain = () => ''): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await attempt();
    if (result !== undefined) return result;
    if (Date.now() > deadline) assert.fail(`${what}: not within ${timeoutMs} ms. ${explain()}`);
    await sleep(25);
  }
}

/** An MdnsBackend in its own node process inside the host's namespace (mdns-probe-script.ts). */
async function startProbe(lab: Lab, host: LabHost, dir: string, options: Pick<MdnsBackendOptions, 'advertise' | 'limits'>): Promise<Probe> {
  const id = `${host.name}-${Math.random().toString(36).slice(2, 8)}`;
  const socketPath = path.join(dir, `${id}.sock`);
  const logFile = path.join(dir, `${id}.log`);
  const config = { interfaceAddress: host.address, hostName: host.name, ...options };
  const child = lab.spawn(host, [process.execPath, '--import', 'tsx', PROBE_SCRIPT, socketPath, JSON.stringify(config)], { cwd: REPO, logFile });
  // The log file holds everything (output() keeps only the last 64 KB).
  const events = (): ProbeEvent[] => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '').split('\n')
    .filter((line) => line.startsWith('{"event"')).map((line) => JSON.parse(line) as ProbeEvent);
  const explain = () => `${host.name} said: ${child.output().slice(-2000)}`;
  const waitFor = (what: string, match: (event: ProbeEvent) => boolean, timeoutMs = 10_000) =>
    eventually(what, () => events().find(match), timeoutMs, explain);
  const call = <T,>(command: object) => new Promise<T>((resolve, reject) => {
    let reply = '';
    // Written, not ended: the probe answers, then closes.
    const socket = connect(socketPath, () => socket.write(`${JSON.stringify(command)}\n`));
    socket.setEncoding('utf8').on('data', (chunk: string) => { reply += chunk; });
    socket.on('error', reject).on('end', () => {
      try {
        const parsed = JSON.parse(reply) as { ok: boolean; result: T; error?: string };
        if (parsed.ok) resolve(parsed.result); else reject(new Error(`${host.name}: ${parsed.error}`));
      } catch { reject(new Error(`${host.name} answered ${JSON.stringify(reply)} to ${JSON.stringify(command).slice(0, 200)}`)); }
    });
  });
  await waitFor(`the backend on ${host.name} starts`, (event) => event.event === 'ready', 20_000);
  return { child, events, waitFor, call };
}

const upNamed = (name: string, host?: string) => (event: ProbeEvent) =>
  event.event === 'up' && event.sighting?.name === name && (!host || event.sighting.host === host);
const errorsOf = (probe: Probe) => probe.events().filter((event) => event.event === 'error');

async function withLab(run: (lab: Lab, dir: string) => Promise<void>): Promise<void> {
  const lab = await createLab(3, { namePrefix: 'md' });
  const dir = mkdtempSync(path.join(tmpdir(), 'cloudy-mdns-'));
  try {
    await run(lab, dir);
  } finally {
    await lab.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('h2 sees what h1 advertises, h1 sees itself, a taken name is renamed, a withdrawal is seen at once', needsRoot, (t) => withLab(async (lab, dir) => {
  const [h1, h2, h3] = lab.hosts as [LabHost, LabHost, LabHost];
  const [p1, p2, p3] = await Promise.all([
    startProbe(lab, h1, dir, { advertise: true }), startProbe(lab, h2, dir, { advertise: false }), startProbe(lab, h3, dir, { advertise: true }),
  ]);
  const published = Date.now();
  assert.deepEqual(await p1.call({ cmd: 'setAdverts', adverts: [SYNCTHING] }), [SYNCTHING]);
  const seen = await p2.waitFor('h2 sees Syncthing on h1', upNamed(SYNCTHING.name));
  assert.deepEqual(seen.sighting, { ...SYNCTHING, host: 'h1.local', addresses: [h1.address] });
  await p1.waitFor('h1 reports its own advert', upNamed(SYNCTHING.name, 'h1.local'));

  // RFC 6762 §8.1 probing finds the name taken by h1; h3 publishes "… (2)" instead.
  const renamed = await p3.call<MdnsAdvert[]>({ cmd: 'setAdverts', adverts: [{ ...SYNCTHING, txt: { node_id: 'DEF' } }] });
  assert.equal(renamed[0]?.name, 'Syncthing on h1 (2)');
  const second = await p2.waitFor('h2 sees the renamed advert of h3', upNamed('Syncthing on h1 (2)', 'h3.local'));
  assert.deepEqual(second.sighting?.txt, { node_id: 'DEF' });

  const withdrawn = Date.now();
  await p1.call({ cmd: 'setAdverts', adverts: [] });
  const down = await p2.waitFor('h2 sees the withdrawal', (event) => event.event === 'down' && event.gone?.name === SYNCTHING.name, 2000);
  assert.deepEqual(down.gone, { name: SYNCTHING.name, type: 'syncthing', protocol: 'tcp' });
  t.diagnostic(`publish → seen on h2 ${seen.t - published} ms, withdraw → down on h2 ${down.t - withdrawn} ms`);
  assert.ok(down.t - withdrawn < 2000);
  assert.equal(p2.events().filter((event) => event.event === 'down').length, 1, 'h3\'s renamed advert stays up');
  assert.deepEqual([...errorsOf(p1), ...errorsOf(p2), ...errorsOf(p3)], []);
}));

test('avahi-daemon and the backend interoperate both ways, also side by side on one host', needsRoot, (t) => withLab(async (lab, dir) => {
  const [h1, h2, h3] = lab.hosts as [LabHost, LabHost, LabHost];
  const servicesDir = path.join(dir, 'avahi-services');
  const runDir = path.join(dir, 'avahi-run');
  const [p1, p2, avahi] = await Promise.all([
    startProbe(lab, h1, dir, { advertise: true }), startProbe(lab, h2, dir, { advertise: false }),
    startAvahi(lab, h3, { workDir: path.join(dir, 'avahi'), servicesDir, runDir, hostName: 'h3' }),
  ]);
  assert.ok(existsSync(path.join(runDir, 'pid')), 'avahi\'s pid file is visible through runDir');

  await p1.call({ cmd: 'setAdverts', adverts: [SYNCTHING] });
  await p2.waitFor('h2 sees Syncthing on h1', upNamed(SYNCTHING.name));
  const row = await eventually('avahi-browse on h3 lists h1\'s advert', async () =>
    (await avahi.browse()).find((r) => r.event === '=' && r.name === SYNCTHING.name), 10_000);
  assert.deepEqual({ ...row, txt: row.txt?.sort() }, {
    event: '=', interfaceName: 'eth0', protocol: 'IPv4', name: SYNCTHING.name, type: '_syncthing._tcp', domain: 'local',
    host: 'h1.local', address: h1.address, port: 22000, txt: ['cloudy-node=n1', 'node_id=ABC'],
  });

  const spawned = Date.now();
  avahi.publish('Legacy thing', '_legacything._tcp', 8099, ['a=1']);
  const legacy = await p2.waitFor('h2 sees avahi-publish-service on h3', upNamed('Legacy thing'));
  // avahi also publishes its link-local IPv6 address over IPv4 (publish-aaaa-on-ipv4=yes by default): IPv4 comes first.
  const ipv4First = (sighting?: MdnsSighting) => sighting && { ...sighting, addresses: sighting.addresses.filter((a) => !a.includes(':')) };
  assert.ok(legacy.sighting?.addresses.slice(1).every((address) => address.includes(':')));
  assert.deepEqual(ipv4First(legacy.sighting), { name: 'Legacy thing', type: 'legacything', protocol: 'tcp', host: 'h3.local', addresses: [h3.address], port: 8099, txt: { a: '1' } });

  const fileAdvert: MdnsAdvert = { name: `Files & "more" <here>`, type: 'cloudyfiles', protocol: 'tcp', port: 8100, txt: { motd: `a<b>&"c'd\nline 2`, 'cloudy-node': 'n3' } };
  const written = Date.now();
  const file = path.join(servicesDir, avahiServiceFileName(fileAdvert));
  writeFileSync(`${file}.tmp`, avahiServiceFile(fileAdvert));
  renameSync(`${file}.tmp`, file);
  const fromFile = await p2.waitFor('h2 sees the service file published by avahi on h3', upNamed(fileAdvert.name));
  assert.deepEqual(ipv4First(fromFile.sighting), { ...fileAdvert, host: 'h3.local', addresses: [h3.address] });
  t.diagnostic(`avahi-publish → seen ${legacy.t - spawned} ms, service file → seen ${fromFile.t - written} ms`);

  // Port 5353 is shared: a browse-only backend next to avahi-daemon sees remote and local services.
  const p3 = await startProbe(lab, h3, dir, { advertise: false });
  await p3.waitFor('the backend beside avahi on h3 sees h1', upNamed(SYNCTHING.name, 'h1.local'));
  await p3.waitFor('the backend beside avahi on h3 sees avahi\'s own services', upNamed('Legacy thing', 'h3.local'));
  assert.ok((await avahi.browse()).some((r) => r.event === '=' && r.name === fileAdvert.name), 'avahi still works');
  assert.deepEqual([...errorsOf(p1), ...errorsOf(p2), ...errorsOf(p3)], []);
}));

test('hostile adverts: markup in names, long TXT values and 300 types leave the browser bounded and running', needsRoot, (t) => withLab(async (lab, dir) => {
  const [h1, h2, h3] = lab.hosts as [LabHost, LabHost, LabHost];
  const [p1, p2, p3] = await Promise.all([
    startProbe(lab, h1, dir, { advertise: true }), startProbe(lab, h2, dir, { advertise: false }),
    startProbe(lab, h3, dir, { advertise: false, limits: { maxTypes: 20, maxSightings: 10 } }),
  ]);
  const hostile: MdnsAdvert = { name: '<script>alert(1)</script>', type: 'hostile', protocol: 'tcp', port: 9000, txt: { big: 'x'.repeat(200) } };
  await p1.call({ cmd: 'setAdverts', adverts: [hostile] });
  const seen = await p2.waitFor('h2 sees the hostile advert', upNamed(hostile.name));
  assert.deepEqual(seen.sighting, { ...hostile, host: 'h1.local', addresses: [h1.address] });

  const flood = Array.from({ length: 300 }, (_, i): MdnsAdvert => ({ name: `Flood ${i}`, type: `flood${i}`, protocol: 'tcp', port: 10_000 + i, txt: {} }));
  assert.equal((await p1.call<MdnsAdvert[]>({ cmd: 'setAdverts', adverts: [hostile, ...flood] })).length, 301);
  const stats = (probe: Probe) => probe.call<MdnsStats>({ cmd: 'stats' });
  await eventually('h2 browses the default maximum of 256 types', async () => ((await stats(p2)).types === 256 || undefined), 15_000);
  await eventually('h3 fills its 10 sightings', async () => ((await stats(p3)).sightings === 10 || undefined), 15_000);
  await p2.call({ cmd: 'refresh' });
  await sleep(1500);
  const [after2, after3] = [await stats(p2), await stats(p3)];
  t.diagnostic(`under 301 adverts h2 ${JSON.stringify(after2)}, h3 ${JSON.stringify(after3)}`);
  assert.equal(after2.types, 256);
  assert.ok(after2.ignoredTypes > 0 && after2.sightings <= 256, JSON.stringify(after2));
  assert.ok(after3.types === 20 && after3.sightings === 10 && after3.ignoredSightings > 0, JSON.stringify(after3));
  assert.deepEqual([...errorsOf(p1), ...errorsOf(p2), ...errorsOf(p3)], []);
}));

test('a service that vanishes without goodbye is reported down when its SRV TTL runs out', needsRoot, (t) => withLab(async (lab, dir) => {
  const [h1, h2] = lab.hosts as [LabHost, LabHost];
  const [p1, p2] = await Promise.all([startProbe(lab, h1, dir, { advertise: true }), startProbe(lab, h2, dir, { advertise: false })]);
  const announced = Date.now();
  await p1.call({ cmd: 'rawAnnounce', name: 'Vanishing', type: 'vanish', port: 7000, ttl: 3 });
  const up = await p2.waitFor('h2 sees the short-lived service', upNamed('Vanishing', 'h1.local'));
  assert.deepEqual(up.sighting?.txt, { raw: 'yes' });
  await p1.child.stop('SIGKILL');
  const down = await p2.waitFor('h2 expires it', (event) => event.event === 'down' && event.gone?.name === 'Vanishing', 10_000);
  t.diagnostic(`TTL 3 s, no goodbye → down on h2 after ${down.t - announced} ms`);
  assert.ok(down.t - announced >= 3000 && down.t - announced < 5500, `${down.t - announced} ms`);
  assert.deepEqual(errorsOf(p2), []);
}));
