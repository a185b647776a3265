// Builds cloudy_<version>_<arch>.deb in the checkout root (npm run deb, after npm run build): stages the installed
// tree under .tmp/deb from dist/, the production node_modules and packaging/, then runs dpkg-deb. docs/packaging.md.
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, lutimesSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

import { CLOUDYD_NODE_FLAGS, HELPER_NODE_FLAGS } from '../src/shared/node-flags.ts';
import { debianCopyright } from './deb-copyright.ts';

const STAGE = '.tmp/deb';
// Where dpkg-shlibdeps expects a package's files: debian/<package> beside the debian/control it reads.
const ROOT = path.join(STAGE, 'debian/cloudy');
const APP = path.join(ROOT, 'usr/lib/cloudy');
const NATIVE_ADDON = 'node_modules/better-sqlite3/build/Release/better_sqlite3.node';

class TemplateError extends Error {}

function run(program: string, args: string[], cwd = '.', env: NodeJS.ProcessEnv = process.env): string {
  return execFileSync(program, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
}

/** Replaces every @NAME@; a placeholder without a value, or a value no placeholder uses, is a mistake in packaging/. */
function fillTemplate(source: string, values: Record<string, string>): string {
  const text = readFileSync(source, 'utf8');
  const used = new Set<string>();
  const filled = text.replace(/@([A-Z_]+)@/g, (_, name: string) => {
    if (!(name in values)) throw new TemplateError(`${source}: unknown placeholder @${name}@`);
    used.add(name);
    return values[name]!;
  });
  const unused = Object.keys(values).filter((name) => !used.has(name));
  if (unused.length > 0) throw new TemplateError(`${source}: no placeholder for ${unused.join(', ')}`);
  if (/@[A-Za-z_]+@/.test(filled)) throw new TemplateError(`${source}: a placeholder is left after filling`);
  return filled;
}

function put(target: string, content: string | Buffer, mode = 0o644): void {
  mkdirSync(path.dirname(target), { recursive: true });
  writeFileSync(target, content, { mode });
  chmodSync(target, mode);
}

/** Debian wants documentation gzipped at maximum compression, without a name or time in the header (gzip -9n). */
const gzip = (text: string): Buffer => gzipSync(text, { level: 9 });

function packageVersion(): string {
  const version = process.env.CLOUDY_DEB_VERSION ?? (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
  // Debian policy 5.6.12: starts with a digit; letters, digits and . + ~ - (a hyphen makes it a non-native version).
  if (!/^[0-9][A-Za-z0-9.+~-]*$/.test(version)) throw new Error(`"${version}" is not a Debian version (set CLOUDY_DEB_VERSION to one)`);
  return version;
}

/** SOURCE_DATE_EPOCH, else the last commit's time: the same checkout gives the same package. */
function buildEpoch(): number {
  if (process.env.SOURCE_DATE_EPOCH) return Number(process.env.SOURCE_DATE_EPOCH);
  try {
    return Number(run('git', ['log', '-1', '--format=%ct']).trim());
  } catch {
    return Math.floor(Date.now() / 1000);
  }
}

interface PackageLock {
  packages: Record<string, { workspaces?: string[]; link?: boolean; resolved?: string }>;
}

/** The checkout's workspaces (packages/cloudy-command: node_modules/.bin/cloudy for `npx cloudy`), by package name. */
function workspaceNames(): string[] {
  const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as PackageLock;
  return Object.entries(lock.packages)
    .filter(([, entry]) => entry.link)
    .map(([where]) => where.replace(/^node_modules\//, ''));
}

/**
 * package.json and the lock without the workspaces: they only link the `cloudy` command for npx in a checkout (the
 * package has /usr/bin/cloudy), and npm prune would look for their folders in the staged tree.
 */
function writeWithoutWorkspaces(app: string): void {
  const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as Record<string, unknown>;
  delete manifest.workspaces;
  writeFileSync(path.join(app, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as PackageLock;
  const workspaceDirs = (lock.packages['']?.workspaces ?? []).map((dir) => path.posix.normalize(dir));
  delete lock.packages['']?.workspaces;
  for (const [where, entry] of Object.entries(lock.packages)) {
    if (entry.link || workspaceDirs.includes(where)) delete lock.packages[where];
  }
  writeFileSync(path.join(app, 'package-lock.json'), `${JSON.stringify(lock, null, 2)}\n`);
}

/** /usr/lib/cloudy: the build, the panel, and the production node_modules (pruned from the checkout's, offline). */
function stageApp(): void {
  for (const built of ['dist/node/cloudyd.js', 'dist/web/index.html']) {
    if (!existsSync(built)) throw new Error(`${built} is missing: run npm run build first (npm run deb does)`);
  }
  mkdirSync(APP, { recursive: true });
  cpSync('bin/cloudy', path.join(APP, 'bin/cloudy'));
  writeWithoutWorkspaces(APP);
  cpSync('dist/node', path.join(APP, 'dist/node'), { recursive: true });
  cpSync('dist/web', path.join(APP, 'dist/web'), { recursive: true });
  // Copied, not installed: better-sqlite3's addon is already compiled here and could not be fetched or built offline.
  cpSync('node_modules', path.join(APP, 'node_modules'), { recursive: true, verbatimSymlinks: true });
  for (const workspace of workspaceNames()) rmSync(path.join(APP, 'node_modules', workspace), { force: true });
  run('npm', ['prune', '--omit=dev', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], APP);
  rmSync(path.join(APP, 'package-lock.json'));
  trimNodeModules(path.join(APP, 'node_modules'));
  // As dh_strip: debug symbols and build notes are dead weight in an installed addon.
  run('strip', ['--strip-unneeded', '--remove-section=.comment', '--remove-section=.note', path.join(APP, NATIVE_ADDON)]);
}

/** Directories in npm modules that nothing loads at run time (tests, benchmarks, CI and editor settings). */
const UNUSED_DIRS = new Set(['test', 'tests', '__tests__', 'benchmark', 'benchmarks', 'example', 'examples', 'docs', '.github', '.husky', '.vscode']);

function trimNodeModules(nodeModules: string): void {
  // npm's own cache of the tree and the links to module commands: only npm reads them.
  rmSync(path.join(nodeModules, '.package-lock.json'), { force: true });
  rmSync(path.join(nodeModules, '.bin'), { recursive: true, force: true });
  // better-sqlite3 needs only its compiled addon: the SQLite sources and build intermediates are for node-gyp.
  const sqlite = path.join(nodeModules, 'better-sqlite3');
  for (const entry of ['deps', 'src', 'binding.gyp']) rmSync(path.join(sqlite, entry), { recursive: true, force: true });
  const addon = readFileSync(path.join(APP, NATIVE_ADDON));
  rmSync(path.join(sqlite, 'build'), { recursive: true });
  put(path.join(APP, NATIVE_ADDON), addon);
  const prune = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const target = path.join(dir, entry.name);
      // Dotfiles are packaging leftovers of each module (.npmignore, .eslintrc, .travis.yml …); shell scripts, HTML and
      // Markdown are release tools and documentation (LICENSE files stay: the licenses ask for them).
      const unused = entry.isDirectory() ? UNUSED_DIRS.has(entry.name) : /\.(sh|html|md|markdown)$/i.test(entry.name) && !/^licen[cs]e/i.test(entry.name);
      if (entry.name.startsWith('.') || unused) rmSync(target, { recursive: true });
      else if (entry.isDirectory()) prune(target);
    }
    // Scope directories (@esbuild/ …) whose modules were all dev dependencies.
    if (readdirSync(dir).length === 0) rmSync(dir, { recursive: true });
  };
  prune(nodeModules);
}

function stageSystem(version: string, date: string): void {
  // Not /lib/systemd/system: on merged-/usr systems (Debian 13) dpkg would ship into an aliased directory.
  const unitDir = path.join(ROOT, 'usr/lib/systemd/system');
  put(path.join(unitDir, 'cloudy-helper.service'), fillTemplate('packaging/systemd/cloudy-helper.service', { HELPER_NODE_FLAGS: HELPER_NODE_FLAGS.join(' ') }));
  put(path.join(unitDir, 'cloudyd.service'), fillTemplate('packaging/systemd/cloudyd.service', { CLOUDYD_NODE_FLAGS: CLOUDYD_NODE_FLAGS.join(' ') }));
  put(path.join(ROOT, 'etc/cloudy/cloudy.conf'), readFileSync('packaging/cloudy.conf'));
  put(path.join(ROOT, 'usr/lib/sysusers.d/cloudy.conf'), readFileSync('packaging/sysusers.conf'));
  put(path.join(ROOT, 'usr/lib/tmpfiles.d/cloudy.conf'), readFileSync('packaging/tmpfiles.conf'));
  mkdirSync(path.join(ROOT, 'usr/bin'), { recursive: true });
  symlinkSync('../lib/cloudy/bin/cloudy', path.join(ROOT, 'usr/bin/cloudy'));
  put(path.join(ROOT, 'usr/share/man/man1/cloudy.1.gz'), gzip(readFileSync('packaging/cloudy.1', 'utf8')));
  const doc = path.join(ROOT, 'usr/share/doc/cloudy');
  put(path.join(doc, 'copyright'), debianCopyright(readFileSync('packaging/debian/copyright.in', 'utf8'), path.join(APP, 'node_modules')));
  // Policy 12.7: a native version (no Debian revision) has changelog.gz, a non-native one changelog.Debian.gz.
  const changelog = version.includes('-') ? 'changelog.Debian.gz' : 'changelog.gz';
  put(path.join(doc, changelog), gzip(fillTemplate('packaging/debian/changelog', { VERSION: version, DATE: date })));
  put(path.join(ROOT, 'usr/share/lintian/overrides/cloudy'), readFileSync('packaging/debian/lintian-overrides'));
}

/** Every file, link and directory below `dir`, parents before their contents. */
function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const target = path.join(dir, entry.name);
    return entry.isDirectory() ? [target, ...walk(target)] : [target];
  });
}

/**
 * Directories 0755; files 0644, or 0755 for scripts (#!: bin/cloudy, modules' commands); one mtime for all. Returns
 * Installed-Size in KiB, counted as dpkg-gencontrol does (each file rounded up, 1 per directory and link).
 */
function normalizeTree(epoch: number): number {
  let kibibytes = 0;
  for (const target of walk(ROOT)) {
    const info = lstatSync(target);
    kibibytes += info.isFile() ? Math.ceil(info.size / 1024) : 1;
    if (info.isSymbolicLink()) continue;
    if (info.isDirectory()) chmodSync(target, 0o755);
    else chmodSync(target, readFileSync(target).subarray(0, 2).toString() === '#!' ? 0o755 : 0o644);
  }
  for (const target of [...walk(ROOT), ROOT]) lutimesSync(target, epoch, epoch);
  return kibibytes;
}

/**
 * The addon is compiled against this Node's V8 (not N-API), so it loads only in the same major version; its C and
 * C++ libraries are what dpkg-shlibdeps finds, as in any package (it wants a debian/control to read).
 */
function dependencies(): Record<string, string> {
  const major = Number(process.versions.node.split('.')[0]);
  put(path.join(STAGE, 'debian/control'), 'Source: cloudy\n\nPackage: cloudy\nArchitecture: any\n');
  // --warnings=0: the addon's references to V8's symbols are resolved by the node binary, not by a library.
  const substvars = run('dpkg-shlibdeps', ['-O', '--warnings=0', path.relative(STAGE, path.join(APP, NATIVE_ADDON))], STAGE);
  const shlibs = /^shlibs:Depends=(.+)$/m.exec(substvars)?.[1];
  if (!shlibs) throw new Error(`dpkg-shlibdeps found no libraries for ${NATIVE_ADDON}: ${substvars}`);
  return { NODEJS_DEPENDS: `nodejs (>= ${major}), nodejs (<< ${major + 1})`, SHLIBS_DEPENDS: shlibs };
}

function stageControl(version: string, arch: string, installedSize: number): void {
  const control = path.join(ROOT, 'DEBIAN');
  // dpkg-shlibdeps finds the package's root by its DEBIAN directory.
  mkdirSync(control);
  const values = { VERSION: version, ARCH: arch, INSTALLED_SIZE: String(installedSize), ...dependencies() };
  put(path.join(control, 'control'), fillTemplate('packaging/debian/control', values));
  put(path.join(control, 'conffiles'), '/etc/cloudy/cloudy.conf\n');
  for (const script of ['postinst', 'prerm', 'postrm']) put(path.join(control, script), readFileSync(`packaging/debian/${script}`), 0o755);
  // md5sums of every shipped file except conffiles (dpkg checks conffiles by its own hash): what debsums verifies.
  const sums = walk(ROOT)
    .map((target) => path.relative(ROOT, target))
    .filter((file) => !file.startsWith('DEBIAN/') && !file.startsWith('etc/') && lstatSync(path.join(ROOT, file)).isFile())
    .sort()
    .map((file) => `${createHash('md5').update(readFileSync(path.join(ROOT, file))).digest('hex')}  ${file}\n`);
  put(path.join(control, 'md5sums'), sums.join(''));
}

function buildPackage(): void {
  const version = packageVersion();
  const arch = run('dpkg', ['--print-architecture']).trim();
  const epoch = buildEpoch();
  const date = new Date(epoch * 1000).toUTCString().replace('GMT', '+0000');
  rmSync(STAGE, { recursive: true, force: true });
  stageApp();
  stageSystem(version, date);
  const installedSize = normalizeTree(epoch);
  stageControl(version, arch, installedSize);
  // Writing DEBIAN/ touched it and the root directory too.
  for (const target of [...walk(path.join(ROOT, 'DEBIAN')), path.join(ROOT, 'DEBIAN'), ROOT]) lutimesSync(target, epoch, epoch);
  const deb = `cloudy_${version}_${arch}.deb`;
  rmSync(deb, { force: true });
  // dpkg-deb dates the ar members by SOURCE_DATE_EPOCH when it is set, else by the clock.
  run('dpkg-deb', ['--root-owner-group', '-Zxz', '--build', ROOT, deb], '.', { ...process.env, SOURCE_DATE_EPOCH: String(epoch) });
  console.log(`${deb}: ${(statSync(deb).size / 1024 / 1024).toFixed(1)} MB`);
}

buildPackage();
