// The proxy3 module's root actions and generated squid.conf against real squid and slapd in network namespaces:
// login (local bcrypt, LDAP with a backup server), federation, blocked ranges, reload, chaining past a dead parent.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { bcryptHash } from '../../src/kit/bcrypt.ts';
import type { ActionContext } from '../../src/kit/privileged-action.ts';
import { expandTemplate } from '../../src/kit/template.ts';
import { LocalSystemDoor } from '../../src/helper/system-door.ts';
import { proxy3Manifest } from '../../src/modules/proxy3/manifest.ts';
import { proxy3Actions } from '../../src/modules/proxy3/privileged.ts';
import { isSquidAnswer, probeProxy } from '../../src/modules/proxy3/proxy-probe.ts';
import { dpkgInstalled } from '../support/module-lifecycle.ts';
import { createLab, type Lab, type LabHost, type LabProcess } from '../support/netns-lab.ts';

type Settings = Record<string, unknown>;
const USER = proxy3Manifest.systemUsers[0]!.name;
const DEFAULTS: Settings = {
  port: 3128, authentication: 'local', cacheMemMiB: 8, cacheDiskMiB: 0, errorLanguage: 'ca', proxyId: 'cloudy', federation: 'private',
  ldapServer: '', ldapBackupServer: '', ldapUsersDn: 'ou=users,dc=guifi,dc=net', ldapProxiesDn: 'ou=proxies,dc=guifi,dc=net', ldapBindDn: '',
};
const BIND_SECRET = 'squid-bind-pw';

/** One node's proxy: its own root dir, the module's actions through a real door, squid started like the supervisor does. */
class ProxyNode {
  readonly root = mkdtempSync(path.join(os.tmpdir(), 'proxy3-lab-'));
  readonly context: ActionContext;
  daemon: LabProcess | undefined;
  settings: Settings;
  /** As cloudyd hands them over: names and bcrypt hashes; and the LDAP bind password, written to its own file. */
  users: Array<{ name: string; passwordHash: string }> = [];
  ldapBindPassword = '';

  constructor(private readonly lab: Lab, readonly host: LabHost, port: number) {
    chmodSync(this.root, 0o755); // mkdtemp makes it 0700: the proxy user must reach its files below, as below /
    const declared = Object.values(proxy3Manifest.paths).map((declaredPath) => path.join(this.root, declaredPath));
    this.context = { root: this.root, door: new LocalSystemDoor(declared), manifest: () => proxy3Manifest, progress: () => undefined };
    this.settings = { ...DEFAULTS, port };
  }

  get port(): number { return this.settings.port as number; }

  call(name: string, args: Record<string, unknown> = {}): Promise<unknown> {
    const action = proxy3Actions.find((candidate) => candidate.name === name);
    if (!action) throw new Error(`no action ${name}`);
    return (action.run as (a: unknown, c: ActionContext) => Promise<unknown>)(args, this.context);
  }

  async writeConfig(change: Settings, lists: { federatedProxies?: string[]; parents?: Array<{ host: string; port: number }> } = {}) {
    const settings = { ...this.settings, ...change };
    const result = await this.call('proxy3.writeConfig', {
      settings, visibleHostname: `proxy-${this.host.name}`, clientSubnets: [this.lab.subnet],
      blockedDestinations: ['192.168.0.0/16', '172.16.0.0/12'], federatedProxies: lists.federatedProxies ?? [], parents: lists.parents ?? [],
      users: this.users, ldapBindPassword: this.ldapBindPassword,
    });
    this.settings = settings;
    return result as { changed: boolean };
  }

  async start(): Promise<void> {
    const [daemon] = proxy3Manifest.daemons;
    const argv = daemon.argv.map((part) => expandTemplate(part, { root: this.root, paths: proxy3Manifest.paths, config: this.settings, secrets: {} }));
    this.daemon = this.lab.spawn(this.host, ['setpriv', `--reuid=${USER}`, `--regid=${USER}`, '--clear-groups', ...argv], { cwd: path.join(this.root, proxy3Manifest.paths.home) });
    await this.lab.waitForTcp(this.host, this.host.address, this.port, 10_000);
  }
}

interface Fetched { status: number; seconds: number; via: string; body: string }

describe('proxy3 in a lab: h1 web + slapd, h2 and h3 proxies', { timeout: 180_000 }, () => {
  let lab: Lab;
  let h1: LabHost, h2: LabHost, h3: LabHost;
  let proxy2: ProxyNode, proxy3: ProxyNode;
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'proxy3-lab-scratch-'));
  const page = () => `http://${h1.address}:8000/`;

  async function fetchThrough(from: LabHost, proxy: ProxyNode, url: string, opts: { login?: string; source?: string } = {}): Promise<Fetched> {
    const argv = ['curl', '-s', '-m', '20', '-x', `http://${proxy.host.address}:${proxy.port}`, '-D', '-', '-w', '\n%{http_code} %{time_total}'];
    if (opts.login) argv.push('-U', opts.login);
    if (opts.source) argv.push('--interface', opts.source);
    const result = await lab.run(from, [...argv, url], { timeoutMs: 30_000 });
    const [status, seconds] = result.stdout.trim().split('\n').at(-1)!.split(' ');
    return { status: Number(status), seconds: Number(seconds), via: /^Via: (.*)$/im.exec(result.stdout)?.[1]?.trim() ?? '', body: result.stdout };
  }

  before(async () => {
    // squid is not preinstalled: the integration tier installs and removes it through Cloudy (slapd is a test dependency).
    if (!dpkgInstalled('squid')) {
      execFileSync('apt-get', ['install', '-y', '--no-install-recommends', '-o', 'DPkg::Lock::Timeout=600', 'squid'], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    }
    lab = await createLab(3, { namePrefix: 'px' });
    [h1, h2, h3] = lab.hosts as [LabHost, LabHost, LabHost];
    mkdirSync(path.join(scratch, 'www'));
    writeFileSync(path.join(scratch, 'www/index.html'), 'hello from h1\n');
    lab.spawn(h1, ['python3', '-m', 'http.server', '--bind', '0.0.0.0', '--directory', path.join(scratch, 'www'), '8000']);
    // A second address on h1 in a blocked range, reachable from h3 itself.
    await lab.run(h1, ['ip', 'addr', 'add', '192.168.77.1/24', 'dev', 'eth0']);
    await lab.run(h3, ['ip', 'route', 'add', '192.168.77.0/24', 'dev', 'eth0']);
    await startSlapd();
    await lab.waitForTcp(h3, h1.address, 8000, 10_000);
    proxy2 = new ProxyNode(lab, h2, 8080);
    proxy3 = new ProxyNode(lab, h3, 3128);
    for (const proxy of [proxy2, proxy3]) await proxy.call('proxy3.prepareHome');
  });

  after(async () => {
    await lab?.destroy();
    for (const dir of [scratch, proxy2?.root, proxy3?.root]) if (dir) rmSync(dir, { recursive: true, force: true });
    // A squid killed with SIGKILL leaves its shared memory behind (harmless to its next start, but clutter).
    for (const segment of ['metadata', 'queues', 'readers']) rmSync(`/dev/shm/cloudyproxy3p${proxy2?.port}-cf__${segment}.shm`, { force: true });
  });

  async function startSlapd(): Promise<void> {
    const dir = path.join(scratch, 'slapd');
    mkdirSync(path.join(dir, 'db'), { recursive: true });
    writeFileSync(path.join(dir, 'slapd.conf'), [
      ...['core', 'cosine', 'inetorgperson'].map((schema) => `include /etc/ldap/schema/${schema}.schema`),
      'modulepath /usr/lib/ldap', 'moduleload back_mdb', `pidfile ${dir}/slapd.pid`,
      'database mdb', 'suffix "dc=guifi,dc=net"', 'rootdn "cn=admin,dc=guifi,dc=net"', `directory ${dir}/db`, 'maxsize 10485760',
      // Anonymous clients may only bind: the helpers must search with the bind account, whose password is in a file.
      'access to attrs=userPassword by anonymous auth by * none',
      'access to * by dn.exact="cn=squid,dc=guifi,dc=net" read by anonymous auth by * none', '',
    ].join('\n'));
    const entry = (dn: string, ...attributes: string[]) => [`dn: ${dn}`, ...attributes, ''].join('\n');
    const user = (uid: string) => entry(`uid=${uid},ou=users,dc=guifi,dc=net`, 'objectClass: inetOrgPerson', `uid: ${uid}`, `cn: ${uid}`, `sn: ${uid}`, `userPassword: ${uid}-pw`);
    const group = (id: string, uid: string) => entry(`cn=${id},ou=proxies,dc=guifi,dc=net`, 'objectClass: groupOfNames', `cn: ${id}`, `member: uid=${uid},ou=users,dc=guifi,dc=net`);
    writeFileSync(path.join(dir, 'data.ldif'), [
      entry('dc=guifi,dc=net', 'objectClass: dcObject', 'objectClass: organization', 'o: guifi', 'dc: guifi'),
      entry('cn=squid,dc=guifi,dc=net', 'objectClass: organizationalRole', 'objectClass: simpleSecurityObject', 'cn: squid', `userPassword: ${BIND_SECRET}`),
      entry('ou=users,dc=guifi,dc=net', 'objectClass: organizationalUnit', 'ou: users'),
      entry('ou=proxies,dc=guifi,dc=net', 'objectClass: organizationalUnit', 'ou: proxies'),
      user('anna'), user('carla'),
      group('1001', 'anna'), // Anna's home proxy federates "out"
      group('1003', 'carla'),
    ].join('\n'));
    const loaded = await lab.run(h1, ['slapadd', '-f', path.join(dir, 'slapd.conf'), '-l', path.join(dir, 'data.ldif')]);
    assert.equal(loaded.code, 0, loaded.stderr);
    lab.spawn(h1, ['slapd', '-d', '0', '-f', path.join(dir, 'slapd.conf'), '-h', `ldap://${h1.address}:389/`]);
    await lab.waitForTcp(h2, h1.address, 389, 10_000);
  }

  test('local users: 407 without or with a wrong password, 200 with the bcrypt one; blocked ranges and other networks 403', async () => {
    proxy3.users = [{ name: 'dani', passwordHash: await bcryptHash('pw-of-dani-1', 10) }];
    assert.deepEqual(await proxy3.writeConfig({ authentication: 'local' }), { changed: true, passwordsChanged: true });
    await proxy3.start();
    assert.equal((await fetchThrough(h2, proxy3, page())).status, 407);
    assert.equal((await fetchThrough(h2, proxy3, page(), { login: 'dani:wrong-password' })).status, 407);
    const ok = await fetchThrough(h2, proxy3, page(), { login: 'dani:pw-of-dani-1' });
    assert.equal(ok.status, 200);
    assert.match(ok.body, /hello from h1/);
    assert.match(ok.via, /proxy-h3/);
    const direct = await lab.run(h3, ['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', 'http://192.168.77.1:8000/']);
    assert.equal(direct.stdout, '200', 'the blocked host answers when asked directly');
    assert.equal((await fetchThrough(h2, proxy3, 'http://192.168.77.1:8000/', { login: 'dani:pw-of-dani-1' })).status, 403);
    assert.equal((await fetchThrough(h2, proxy3, `http://127.0.0.1:${proxy3.port}/`, { login: 'dani:pw-of-dani-1' })).status, 403, 'the node itself');
    await lab.run(h2, ['ip', 'addr', 'add', '10.250.250.2/24', 'dev', 'eth0']);
    await lab.run(h3, ['ip', 'addr', 'add', '10.250.250.3/24', 'dev', 'eth0']);
    const other = await lab.run(h2, ['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', '--interface', '10.250.250.2', '-x', `http://10.250.250.3:${proxy3.port}`, '-U', 'dani:pw-of-dani-1', page()]);
    assert.equal(other.stdout, '403', 'a client outside the allowed networks');
    const passwords = path.join(proxy3.root, proxy3Manifest.paths.config, 'passwords');
    assert.match(readFileSync(passwords, 'utf8'), /^dani:\$2y\$10\$/);
    assert.equal(statSync(passwords).mode & 0o777, 0o600);
    proxy3.users = [];
    await proxy3.writeConfig({});
    assert.equal(readFileSync(passwords, 'utf8'), '', 'a removed user is gone from the file at once');
  });

  test('a configuration squid refuses never replaces the running one; diagnostics see squid answer', async () => {
    const adminInclude = path.join(proxy3.root, proxy3Manifest.paths.config, 'admin.conf');
    writeFileSync(adminInclude, 'http_access allow everybody_here\n');
    await assert.rejects(proxy3.writeConfig({ cacheMemMiB: 9 }), /squid refused the new configuration.*everybody_here/);
    writeFileSync(adminInclude, '');
    assert.deepEqual(await proxy3.call('proxy3.checkConfig'), { accepted: true, message: 'accepted' });
    assert.ok(isSquidAnswer(await probeInLab(proxy3)), 'squid answers 403 ERR_ACCESS_DENIED for the node itself');
  });

  test('LDAP federation: a user of an "out" home proxy logs in at an "in" proxy and is refused at a private one; reload keeps the PID', async () => {
    const ldap = { authentication: 'ldap', ldapServer: `${h1.address}:3899`, ldapBackupServer: `${h1.address}:389`, ldapBindDn: 'cn=squid,dc=guifi,dc=net' };
    for (const proxy of [proxy2, proxy3]) proxy.ldapBindPassword = BIND_SECRET;
    await proxy2.writeConfig({ ...ldap, proxyId: '1002', federation: 'in' }, { federatedProxies: ['1001'] });
    await proxy2.start();
    const pid = proxy3.daemon!.pid;
    await proxy3.writeConfig({ ...ldap, proxyId: '1003', federation: 'private' });
    await proxy3.call('proxy3.reload');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal(proxy3.daemon!.pid, pid);
    assert.equal((await fetchThrough(h1, proxy2, page())).status, 407);
    assert.equal((await fetchThrough(h1, proxy2, page(), { login: 'anna:anna-pw' })).status, 200, 'anna (home 1001, out) at 1002 (in)');
    assert.equal((await fetchThrough(h1, proxy3, page(), { login: 'anna:anna-pw' })).status, 403, 'anna at 1003 (private)');
    assert.equal((await fetchThrough(h1, proxy3, page(), { login: 'carla:carla-pw' })).status, 200, 'carla at her own 1003');
    assert.equal((await fetchThrough(h1, proxy2, page(), { login: 'carla:carla-pw' })).status, 403, 'carla (home 1003, private) at 1002');
    assert.equal((await fetchThrough(h1, proxy2, page(), { login: 'anna:wrong' })).status, 407);
  });

  test('chaining: h3 forwards through h2; with h2 dead requests still succeed directly, at once', async () => {
    await proxy2.writeConfig({ authentication: 'none' });
    await proxy2.call('proxy3.reload');
    await proxy3.writeConfig({ authentication: 'none' }, { parents: [{ host: h2.address, port: proxy2.port }] });
    await proxy3.call('proxy3.reload');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const chained = await fetchThrough(h1, proxy3, `${page()}?chained`);
    assert.equal(chained.status, 200);
    assert.match(chained.via, /proxy-h2.*proxy-h3/);
    await proxy2.daemon!.stop('SIGKILL');
    for (const attempt of [1, 2, 3]) {
      const alone = await fetchThrough(h1, proxy3, `${page()}?dead-parent-${attempt}`);
      assert.equal(alone.status, 200);
      assert.doesNotMatch(alone.via, /proxy-h2/);
      assert.ok(alone.seconds < 1, `a refused parent costs nothing (${alone.seconds} s)`);
    }
  });

  async function probeInLab(proxy: ProxyNode) {
    // The probe runs where cloudyd runs: on the node itself, inside its namespace.
    const script = `import('${path.resolve('src/modules/proxy3/proxy-probe.ts')}').then(async (m) => console.log(JSON.stringify(await m.probeProxy('127.0.0.1', ${proxy.port}))))`;
    const result = await lab.run(proxy.host, [process.execPath, '--import', 'tsx', '-e', script], { timeoutMs: 20_000 });
    return JSON.parse(result.stdout) as Awaited<ReturnType<typeof probeProxy>>;
  }
});
