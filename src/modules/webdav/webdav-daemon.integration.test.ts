// The WebDAV module's root actions and generated config against the real apache2 (as cloudy-webdav) and litmus.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { moduleActions } from '../../../test/support/module-actions.ts';
import { dpkgInstalled } from '../../../test/support/module-lifecycle.ts';
import { createLab, type Lab, type LabHost, type LabProcess } from '../../../test/support/netns-lab.ts';
import { bcryptHash } from '../../kit/bcrypt.ts';
import type { PrivilegedAction } from '../../kit/privileged-action.ts';
import { nodeLayout } from '../../shared/node-layout.ts';
import { webdavManifest } from './manifest.ts';
import { webdavActions } from './privileged.ts';
import { passwordFileIsPrivate } from './webdav-diagnostics.ts';
import { WEBDAV_USER, webdavLayout } from './webdav-layout.ts';

const PORT = 8443;
const BASE = `https://127.0.0.1:${PORT}`;
const PASSWORDS = { alice: 'alice-password', reader: 'reader-password', eve: 'eve-password' };
const SHARES = [
  { name: 'docs', readOnlyUsers: ['reader'], readWriteUsers: ['alice'], public: false },
  { name: 'pub', readOnlyUsers: [], readWriteUsers: ['alice'], public: true },
  { name: 'ro', readOnlyUsers: ['alice', 'reader'], readWriteUsers: [], public: false },
];

let root: string;
let lab: Lab;
let host: LabHost;
let apache: LabProcess;
let actions: ReturnType<typeof moduleActions>;
let layout: ReturnType<typeof webdavLayout>;
/** The users as cloudyd hands them over: names and bcrypt hashes (cost 8, as the manifest asks). */
let users: Array<{ name: string; passwordHash: string }>;

/** curl inside the lab namespace (apache listens there on 127.0.0.1); the body and the HTTP status. */
async function http(args: string[]): Promise<{ status: number; body: string }> {
  const result = await lab.run(host, ['curl', '-sk', '--path-as-is', '-w', '\n%{http_code}', ...args], { timeoutMs: 20_000 });
  const cut = result.stdout.lastIndexOf('\n');
  return { status: Number(result.stdout.slice(cut + 1)), body: result.stdout.slice(0, cut) };
}

const as = (user: keyof typeof PASSWORDS) => ['-u', `${user}:${PASSWORDS[user]}`];

function asModuleUser(argv: string[]): string[] {
  return ['setpriv', `--reuid=${WEBDAV_USER}`, `--regid=${WEBDAV_USER}`, '--init-groups', ...argv];
}

function writeConfig(uploadLimitMiB: number, reload: boolean) {
  return actions.call<{ changed: boolean; reloaded: boolean }>('webdav.writeConfig', { port: PORT, uploadLimitMiB, shares: SHARES, users, reload });
}

before(async () => {
  // The module's packages are not preinstalled (the lifecycle suite installs and removes them through Cloudy); litmus
  // is in scripts/install-test-deps.sh.
  const missing = webdavManifest.packages.filter((name) => !dpkgInstalled(name));
  if (missing.length > 0) {
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', '-o', 'DPkg::Lock::Timeout=600', ...missing], {
      stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  }
  root = mkdtempSync('/tmp/cloudy-webdav-');
  chmodSync(root, 0o755); // apache runs as cloudy-webdav: every parent of its home and shares must be traversable.
  const node = nodeLayout(root);
  mkdirSync(path.dirname(node.tlsKeyFile), { recursive: true, mode: 0o700 });
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', node.tlsKeyFile,
    '-out', node.tlsCertFile, '-days', '2', '-subj', '/CN=webdav-test'], { stdio: 'ignore' });
  actions = moduleActions(root, webdavManifest, webdavActions as PrivilegedAction[]);
  layout = webdavLayout(root);
  await actions.call('webdav.prepareHome');
  users = await Promise.all(Object.entries(PASSWORDS).map(async ([name, password]) => ({ name, passwordHash: await bcryptHash(password, 8) })));
  assert.deepEqual(await writeConfig(1, false), { changed: true, reloaded: false });

  lab = await createLab(1, { namePrefix: 'wd' });
  host = lab.hosts[0]!;
  apache = lab.spawn(host, asModuleUser(['apache2', '-f', layout.configFile, '-DFOREGROUND']), { cwd: layout.home });
  await lab.waitForTcp(host, '127.0.0.1', PORT, 15_000);
});

after(async () => {
  await lab?.destroy();
  if (root) rmSync(root, { recursive: true, force: true });
});

test('prepared files: the key copy and the password file are 0600 and the module user’s; bcrypt hashes only', async () => {
  for (const file of [layout.keyFile, layout.usersFile]) assert.equal(statSync(file).mode & 0o777, 0o600, file);
  const users = readFileSync(layout.usersFile, 'utf8');
  assert.match(users, /^alice:\$2y\$08\$/m);
  assert.ok(!Object.values(PASSWORDS).some((password) => users.includes(password)));
  const modes = await actions.call<{ usersFile: string }>('webdav.fileModes');
  assert.ok(passwordFileIsPrivate(modes.usersFile, WEBDAV_USER), modes.usersFile);
  assert.ok(passwordFileIsPrivate('600 cloudy-webdav regular empty file', WEBDAV_USER), 'no users yet');
  assert.ok(!passwordFileIsPrivate('644 cloudy-webdav regular file', WEBDAV_USER));
  assert.ok(!passwordFileIsPrivate('777 cloudy-webdav symbolic link', WEBDAV_USER));
});

test('apache runs as cloudy-webdav, not root', () => {
  const status = readFileSync(`/proc/${apache.pid}/status`, 'utf8');
  const uid = Number(/^Uid:\s+(\d+)/m.exec(status)![1]);
  assert.equal(execFileSync('id', ['-u', WEBDAV_USER], { encoding: 'utf8' }).trim(), String(uid));
});

test('litmus: basic, copymove, props, locks and http all pass on a read-write share', async () => {
  const result = await lab.run(host, ['litmus', `${BASE}/docs/`, 'alice', PASSWORDS.alice], { timeoutMs: 180_000 });
  for (const group of ['basic', 'copymove', 'props', 'locks', 'http']) {
    assert.match(result.stdout, new RegExp(`summary for \`${group}': of \\d+ tests run: \\d+ passed, 0 failed`), `${group}\n${result.stdout}`);
  }
  assert.equal(result.code, 0, result.stdout);
});

test('who may do what: anonymous 401, a known user without the right 403, read-only users read only, a read-only share refuses writes, public reads', async () => {
  const cases: Array<[string, string[], number]> = [
    ['anonymous PROPFIND docs', ['-X', 'PROPFIND', '-H', 'Depth: 0', `${BASE}/docs/`], 401],
    ['eve (no access) PROPFIND docs', [...as('eve'), '-X', 'PROPFIND', '-H', 'Depth: 0', `${BASE}/docs/`], 403],
    ['wrong password', ['-u', 'alice:nope', '-X', 'PROPFIND', '-H', 'Depth: 0', `${BASE}/docs/`], 401],
    ['reader PROPFIND docs', [...as('reader'), '-X', 'PROPFIND', '-H', 'Depth: 0', `${BASE}/docs/`], 207],
    ['reader PUT docs', [...as('reader'), '-T', '/etc/hostname', `${BASE}/docs/r.txt`], 403],
    ['reader MKCOL docs', [...as('reader'), '-X', 'MKCOL', `${BASE}/docs/rdir`], 403],
    ['alice PUT docs', [...as('alice'), '-T', '/etc/hostname', `${BASE}/docs/a.txt`], 201],
    ['reader GET docs', [...as('reader'), `${BASE}/docs/a.txt`], 200],
    ['reader DELETE docs', [...as('reader'), '-X', 'DELETE', `${BASE}/docs/a.txt`], 403],
    ['alice PUT read-only share', [...as('alice'), '-T', '/etc/hostname', `${BASE}/ro/a.txt`], 403],
    ['alice COPY into read-only share', [...as('alice'), '-X', 'COPY', '-H', `Destination: ${BASE}/ro/c.txt`, `${BASE}/docs/a.txt`], 403],
    ['anonymous PROPFIND public', ['-X', 'PROPFIND', '-H', 'Depth: 1', `${BASE}/pub/`], 207],
    ['anonymous PUT public', ['-T', '/etc/hostname', `${BASE}/pub/anon.txt`], 401],
    ['alice PUT public', [...as('alice'), '-T', '/etc/hostname', `${BASE}/pub/alice.txt`], 201],
    ['anonymous GET public', [`${BASE}/pub/alice.txt`], 200],
    ['outside every share', [...as('alice'), `${BASE}/`], 403],
    ['TRACE', [...as('alice'), '-X', 'TRACE', `${BASE}/docs/`], 405],
  ];
  for (const [label, args, expected] of cases) assert.equal((await http(args)).status, expected, label);
  assert.ok(!existsSync(path.join(layout.sharesDir, 'ro/a.txt')));
});

test('.., symbolic links planted by the module user and control characters never reach outside the share', async () => {
  const docs = path.join(layout.sharesDir, 'docs');
  const outside = path.join(root, 'outside');
  mkdirSync(outside);
  writeFileSync(path.join(outside, 'secret.txt'), 'outside-secret\n');
  execFileSync('chown', ['-R', WEBDAV_USER, outside]);
  const links = { 'passwd-link': '/etc/passwd', 'secret-link': path.join(outside, 'secret.txt'), 'key-link': layout.keyFile, 'outside-dir': outside, 'home-dir': layout.home };
  for (const [name, target] of Object.entries(links)) {
    const [program, ...args] = asModuleUser(['ln', '-s', target, path.join(docs, name)]);
    execFileSync(program!, args);
  }
  const lock = '<?xml version="1.0"?><lockinfo xmlns="DAV:"><lockscope><exclusive/></lockscope><locktype><write/></locktype></lockinfo>';
  const refused: Array<[string, string[]]> = [
    ['GET /docs/../../etc/passwd', [`${BASE}/docs/../../../../etc/passwd`]],
    ['GET %2e%2e', [`${BASE}/docs/%2e%2e/%2e%2e/%2e%2e/etc/passwd`]],
    ['GET ..%2f', [`${BASE}/docs/..%2f..%2f..%2f..%2fetc/passwd`]],
    ['COPY to ../', ['-X', 'COPY', '-H', `Destination: ${BASE}/docs/%2e%2e/%2e%2e/escaped`, `${BASE}/docs/litmus/`]],
    ['GET file link', [`${BASE}/docs/passwd-link`]],
    ['GET link to the key', [`${BASE}/docs/key-link`]],
    ['GET through a directory link', [`${BASE}/docs/home-dir/users.htpasswd`]],
    ['PROPFIND a directory link', ['-X', 'PROPFIND', '-H', 'Depth: 1', `${BASE}/docs/outside-dir/`]],
    ['PUT through a directory link', ['-T', '/etc/hostname', `${BASE}/docs/outside-dir/new.txt`]],
    ['DELETE through a directory link', ['-X', 'DELETE', `${BASE}/docs/outside-dir/secret.txt`]],
    ['PUT over a file link', ['-T', '/etc/hostname', `${BASE}/docs/secret-link`]],
    ['COPY a file link', ['-X', 'COPY', '-H', `Destination: ${BASE}/docs/copied`, `${BASE}/docs/passwd-link`]],
    ['MOVE a file link', ['-X', 'MOVE', '-H', `Destination: ${BASE}/docs/moved`, `${BASE}/docs/secret-link`]],
    ['COPY a directory link', ['-X', 'COPY', '-H', `Destination: ${BASE}/docs/dircopy`, `${BASE}/docs/outside-dir`]],
    ['LOCK a link', ['-X', 'LOCK', '-H', 'Content-Type: application/xml', '--data', lock, `${BASE}/docs/passwd-link`]],
    ['PUT a name with a newline', ['-T', '/etc/hostname', `${BASE}/docs/a%0Ab.txt`]],
    ['PUT a name with a tab', ['-T', '/etc/hostname', `${BASE}/docs/a%09b.txt`]],
    ['PUT a name with NUL', ['-T', '/etc/hostname', `${BASE}/docs/a%00b.txt`]],
    ['MOVE to a name with a newline', ['-X', 'MOVE', '-H', `Destination: ${BASE}/docs/x%0Ay`, `${BASE}/docs/a.txt`]],
  ];
  for (const [label, args] of refused) {
    const { status, body } = await http([...as('alice'), ...args]);
    assert.ok([400, 403, 404].includes(status), `${label}: ${status}`);
    assert.doesNotMatch(body, /root:x:|outside-secret|PRIVATE KEY|\$2y\$/, label);
  }
  const listing = await http([...as('alice'), '-X', 'PROPFIND', '-H', 'Depth: 1', `${BASE}/docs/`]);
  assert.equal(listing.status, 207);
  assert.doesNotMatch(listing.body, /link|outside-dir|home-dir/, 'links are not listed');
  assert.deepEqual(execFileSync('ls', ['-A', outside], { encoding: 'utf8' }).split('\n').filter(Boolean), ['secret.txt'], 'nothing written outside');
  assert.equal(readFileSync(path.join(outside, 'secret.txt'), 'utf8'), 'outside-secret\n');
  const names = execFileSync('ls', ['-A', docs], { encoding: 'utf8' });
  assert.ok(!/copied|moved|dircopy|\tb|x\ny/.test(names), names);
  assert.ok(existsSync(path.join(docs, 'a.txt')), 'the MOVE to a newline name was refused');
  // A DAV user may upload .htaccess: AllowOverride None, so it changes nothing.
  assert.equal((await http([...as('alice'), '--data-binary', 'Options +FollowSymLinks', '-X', 'PUT', `${BASE}/docs/.htaccess`])).status, 201);
  assert.equal((await http([...as('alice'), `${BASE}/docs/passwd-link`])).status, 403);
});

test('the upload limit answers 413, and a new config is applied by a graceful reload under the same PID', async () => {
  const big = path.join(root, 'big.bin');
  writeFileSync(big, Buffer.alloc(1536 * 1024, 7));
  execFileSync('chmod', ['644', big]);
  assert.equal((await http([...as('alice'), '-T', big, `${BASE}/docs/big.bin`])).status, 413);
  assert.equal((await http([...as('alice'), '-H', 'Transfer-Encoding: chunked', '-T', big, `${BASE}/docs/big.bin`])).status, 413);
  assert.deepEqual(await writeConfig(1, true), { changed: false, reloaded: false }, 'an unchanged config is not rewritten');
  assert.deepEqual(await writeConfig(2, true), { changed: true, reloaded: true });
  const deadline = Date.now() + 10_000;
  let status = 0;
  while (Date.now() < deadline && (status = (await http([...as('alice'), '-T', big, `${BASE}/docs/big.bin`])).status) === 413) await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(status, 201);
  assert.equal(Number(readFileSync(layout.pidFile, 'utf8')), apache.pid, 'the supervisor’s PID is still apache’s parent');
});

test('a config apache2 -t refuses is not installed, and the running one is kept', async () => {
  const before = readFileSync(layout.configFile, 'utf8');
  rmSync(layout.certificateFile);
  await assert.rejects(writeConfig(3, true), /apache2 refused the new configuration, the running one is kept/);
  assert.equal(readFileSync(layout.configFile, 'utf8'), before);
  assert.ok(!existsSync(layout.candidateConfigFile));
  await actions.call('webdav.prepareHome');
});

test('a password change takes effect at once, without a reload; a removed user is refused', async () => {
  const propfind = (user: string, password: string) => http(['-u', `${user}:${password}`, '-X', 'PROPFIND', '-H', 'Depth: 0', `${BASE}/docs/`]);
  const pid = Number(readFileSync(layout.pidFile, 'utf8'));
  const newHash = await bcryptHash('a new reader password', 8);
  users = users.map((entry) => (entry.name === 'reader' ? { name: 'reader', passwordHash: newHash } : entry));
  assert.deepEqual(await writeConfig(2, true), { changed: false, reloaded: false }, 'only the password file changed: no reload');
  assert.equal((await propfind('reader', PASSWORDS.reader)).status, 401);
  assert.equal((await propfind('reader', 'a new reader password')).status, 207);
  users = users.filter((entry) => entry.name !== 'reader');
  await writeConfig(2, true);
  assert.equal((await propfind('reader', 'a new reader password')).status, 401);
  assert.equal(Number(readFileSync(layout.pidFile, 'utf8')), pid, 'the same apache served all of it');
  assert.equal((await propfind('alice', PASSWORDS.alice)).status, 207, 'the other users stay');
});

test('hostile action arguments are refused by the schemas before anything runs', async () => {
  const refused = { name: 'ActionArgumentsError' };
  const write = (change: Record<string, unknown>) => actions.call('webdav.writeConfig', { port: PORT, uploadLimitMiB: 1, shares: [], users: [], reload: false, ...change });
  for (const name of ['..', '../etc', 'a/b', 'A', '.ht', 'a b', 'a\nb']) {
    await assert.rejects(write({ shares: [{ name, readOnlyUsers: [], readWriteUsers: [], public: false }] }), refused, name);
  }
  const hash = users[0]!.passwordHash;
  for (const name of ['x:y', 'a b', 'a\nb', '']) await assert.rejects(write({ users: [{ name, passwordHash: hash }] }), refused, name);
  for (const passwordHash of ['plain password', `${hash}\nbob:${hash}`, '$apr1$x$y', hash.replace('$2y$', '$2b$')]) {
    await assert.rejects(write({ users: [{ name: 'bob', passwordHash }] }), refused, passwordHash);
  }
  await assert.rejects(write({ port: 80 }), refused);
  await assert.rejects(write({ shares: [{ name: 'docs', readOnlyUsers: ['a"b'], readWriteUsers: [], public: false }] }), refused);
  assert.ok(!readFileSync(layout.usersFile, 'utf8').includes('bob:'));
});
