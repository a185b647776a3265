// The packages and root filesystems the boot tests start from, built on demand and cached: the .deb (rebuilt when
// older than dist/), the template (rebuilt when older than the .deb) and plain Debian rootfs under .tmp/boot-rootfs.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { spawn } from 'node:child_process';

import { repoDir } from './cloudy-node.ts';
import { runProgram } from './nspawn-container.ts';

export class BootImageError extends Error { override name = 'BootImageError'; }

const LOG_DIR = path.join(repoDir, '.tmp/boot-logs');
const ROOTFS_CACHE = path.join(repoDir, '.tmp/boot-rootfs');
/** Plain rootfs are rebuilt after a week, so they do not drift too far from the security updates. */
const ROOTFS_MAX_AGE_MS = 7 * 24 * 3600_000;

const mtimeOf = async (file: string): Promise<number> => (await stat(file).catch(() => undefined))?.mtimeMs ?? 0;

async function newestMtimeUnder(dir: string): Promise<number> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  const times = await Promise.all(entries.filter((entry) => entry.isFile()).map((entry) => mtimeOf(path.join(entry.parentPath, entry.name))));
  return Math.max(0, ...times);
}

/**
 * Runs a build step from the checkout with its output in .tmp/boot-logs/<name>.log (mmdebstrap's hundreds of lines
 * would drown the test report); on failure the error carries the log's tail.
 */
async function runLogged(name: string, argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  await mkdir(LOG_DIR, { recursive: true });
  const logFile = path.join(LOG_DIR, `${name}.log`);
  const log = createWriteStream(logFile);
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd: repoDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    child.once('error', reject);
    child.once('close', resolve);
  });
  await new Promise((resolve) => log.end(resolve));
  if (code !== 0) {
    const tail = (await readFile(logFile, 'utf8')).split('\n').slice(-30).join('\n');
    throw new BootImageError(`${argv.join(' ')} exited ${code} (log: ${logFile}):\n${tail}`);
  }
}

async function newestDebIn(dir: string): Promise<string | undefined> {
  const debs = (await readdir(dir)).filter((name) => /^cloudy_[^_]+_[^_]+\.deb$/.test(name)).map((name) => path.join(dir, name));
  const times = await Promise.all(debs.map(mtimeOf));
  return debs.sort((a, b) => times[debs.indexOf(b)]! - times[debs.indexOf(a)]!)[0];
}

export async function debField(deb: string, field: string): Promise<string> {
  const result = await runProgram(['dpkg-deb', '--field', deb, field]);
  if (result.code !== 0) throw new BootImageError(`dpkg-deb --field ${deb} ${field}: ${result.stderr}`);
  return result.stdout.trim();
}

/**
 * The checkout's cloudy_*.deb, built with `npm run deb` when there is none or it is older than dist/; or the package
 * CLOUDY_TEST_DEB names, to test a given build.
 */
export async function ensureDeb(): Promise<string> {
  if (process.env.CLOUDY_TEST_DEB) return path.resolve(process.env.CLOUDY_TEST_DEB);
  const deb = await newestDebIn(repoDir);
  if (deb && await mtimeOf(deb) >= await newestMtimeUnder(path.join(repoDir, 'dist'))) return deb;
  await runLogged('deb', ['npm', 'run', 'deb']);
  const built = await newestDebIn(repoDir);
  if (!built) throw new BootImageError('npm run deb made no cloudy_*.deb in the checkout');
  return built;
}

/**
 * Builds the package again as version `version` (scripts/build-deb.ts from the current dist/) and moves it out of
 * the checkout into `outDir` at once, so it is never taken for the checkout's own package.
 */
export async function buildDebVersion(version: string, outDir: string): Promise<string> {
  await runLogged('deb-upgrade', [process.execPath, '--import', 'tsx', 'scripts/build-deb.ts'], { ...process.env, CLOUDY_DEB_VERSION: version });
  const arch = (await runProgram(['dpkg', '--print-architecture'])).stdout.trim();
  const name = `cloudy_${version}_${arch}.deb`;
  await rename(path.join(repoDir, name), path.join(outDir, name));
  return path.join(outDir, name);
}

/** cloudy-rootfs_<version>_<arch>.tar.zst in the checkout, from `npm run template`'s script; rebuilt when older than the .deb. */
export async function ensureTemplate(deb: string): Promise<string> {
  const arch = (await runProgram(['dpkg', '--print-architecture'])).stdout.trim();
  const template = path.join(repoDir, `cloudy-rootfs_${await debField(deb, 'Version')}_${arch}.tar.zst`);
  if (await mtimeOf(template) >= await mtimeOf(deb)) return template;
  await runLogged('template', [process.execPath, '--import', 'tsx', 'scripts/build-template.ts', '--deb', deb, '--output', template]);
  return template;
}

/**
 * A Debian 13 rootfs the test builds itself, with the .deb installed as in the template and Syncthing's package already
 * there (the containers have no network, so a module can only be installed from what the image holds; Cloudy's own
 * install step then finds it installed). Cached under .tmp/boot-rootfs by the package's hash.
 */
export async function ensureTestRootfs(deb: string): Promise<string> {
  const key = createHash('sha256').update(await readFile(deb)).digest('hex').slice(0, 16);
  const tarball = path.join(ROOTFS_CACHE, `cloudy-trixie-${key}.tar.zst`);
  if (await mtimeOf(tarball) > 0) return tarball;
  await mkdir(ROOTFS_CACHE, { recursive: true });
  for (const stale of (await readdir(ROOTFS_CACHE)).filter((name) => name.startsWith('cloudy-trixie-'))) await rm(path.join(ROOTFS_CACHE, stale), { force: true });
  await runLogged('rootfs-cloudy', [process.execPath, '--import', 'tsx', 'scripts/build-template.ts', '--deb', deb, '--include', 'syncthing', '--output', tarball]);
  return tarball;
}

/** The packages a .deb depends on, first alternative of each, without versions: `nodejs (>= 20), openssl` → both names. */
export async function dependenciesOf(deb: string): Promise<string[]> {
  return (await debField(deb, 'Depends')).split(',').map((clause) => clause.split('|')[0]!.replace(/\(.*\)/, '').trim()).filter(Boolean);
}

/**
 * A Debian rootfs without Cloudy, with `include` installed and apt's package lists kept (the containers have no
 * network, so apt must resolve a local .deb from what is there). Cached by suite and package list.
 */
export async function ensurePlainRootfs(suite: 'trixie' | 'bookworm', include: string[]): Promise<string> {
  const packages = [...new Set(include)].sort();
  const key = createHash('sha256').update(`${suite}\n${packages.join(',')}`).digest('hex').slice(0, 16);
  const tarball = path.join(ROOTFS_CACHE, `${suite}-${key}.tar.zst`);
  if (Date.now() - await mtimeOf(tarball) < ROOTFS_MAX_AGE_MS) return tarball;
  await mkdir(ROOTFS_CACHE, { recursive: true });
  for (const stale of (await readdir(ROOTFS_CACHE)).filter((name) => name.startsWith(`${suite}-`))) await rm(path.join(ROOTFS_CACHE, stale), { force: true });
  await runLogged(`rootfs-${suite}`, [process.execPath, '--import', 'tsx', 'scripts/build-template.ts', '--without-cloudy', '--keep-apt-lists',
    '--suite', suite, '--include', packages.join(','), '--output', tarball]);
  return tarball;
}

/** A fresh directory under .tmp/ (the machine's /tmp may be a small tmpfs; rootfs take ~300 MB each). */
export async function scratchDir(prefix: string): Promise<string> {
  await mkdir(path.join(repoDir, '.tmp'), { recursive: true });
  return mkdtemp(path.join(repoDir, '.tmp', `${prefix}-`));
}
