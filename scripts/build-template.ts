// Builds the Cloudy rootfs template: Debian 13 with the built cloudy_*.deb installed, as one .tar.zst that
// systemd-nspawn boots and LXC uses as a rootfs. Also builds the plain rootfs variants the boot tests need.
//
//   node --import tsx scripts/build-template.ts [--deb FILE] [--output FILE]
//   node --import tsx scripts/build-template.ts --without-cloudy --suite bookworm --include nodejs --output FILE
//
// mmdebstrap runs its hooks with a shell: they are constant strings here, and what varies (the .deb's path) reaches
// them through the environment, never by building a command line.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

const CHECKOUT = path.resolve(import.meta.dirname, '..');
const MIRROR = 'http://deb.debian.org/debian';
const SUITES = ['trixie', 'bookworm'] as const;
/** What a booted node needs besides the package's own Depends: an init, a bus, the runtime, certificates, `ip`/`ss`. */
const BASE_PACKAGES = ['systemd', 'systemd-sysv', 'dbus', 'nodejs', 'ca-certificates', 'iproute2'];
const HOSTNAME_HOOKS = [
  'echo cloudy > "$1/etc/hostname"',
  `printf '127.0.0.1\\tlocalhost\\n127.0.1.1\\tcloudy\\n::1\\tlocalhost ip6-localhost ip6-loopback\\n' > "$1/etc/hosts"`,
];
/** Installs $CLOUDY_TEMPLATE_DEB with apt (which resolves its Depends), then checks the postinst enabled both units. */
const CLOUDY_HOOKS = [
  'cp "$CLOUDY_TEMPLATE_DEB" "$1/tmp/cloudy.deb"',
  'chroot "$1" apt-get install -y --no-install-recommends /tmp/cloudy.deb',
  'rm -f "$1/tmp/cloudy.deb"',
  'chroot "$1" systemctl is-enabled cloudy-helper.service cloudyd.service',
];

class TemplateError extends Error { override name = 'TemplateError'; }

interface TemplateOptions {
  suite: (typeof SUITES)[number];
  /** The package to install, or undefined for a rootfs without Cloudy. */
  deb: string | undefined;
  output: string;
  /** Extra packages on top of BASE_PACKAGES. */
  include: string[];
  /** Keep /var/lib/apt/lists, so apt inside (which has no network in the tests) can resolve a local .deb. */
  keepAptLists: boolean;
}

function run(argv: string[], env: NodeJS.ProcessEnv = process.env): void {
  const result = spawnSync(argv[0]!, argv.slice(1), { stdio: 'inherit', env, shell: false });
  if (result.status !== 0) throw new TemplateError(`${argv[0]} failed (${result.error?.message ?? `exit ${result.status ?? result.signal}`})`);
}
function output(argv: string[]): string {
  const result = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', shell: false });
  if (result.status !== 0) throw new TemplateError(`${argv.join(' ')} failed: ${result.stderr || result.error?.message}`);
  return result.stdout.trim();
}
const onPath = (program: string): boolean => spawnSync('which', [program], { stdio: 'ignore' }).status === 0;

/** mmdebstrap writes the tarball, zstd compresses it: installed from Debian when missing. */
function ensureTools(): void {
  const missing = [['mmdebstrap', 'mmdebstrap'], ['zstd', 'zstd']].filter(([program]) => !onPath(program!)).map(([, pkg]) => pkg!);
  if (missing.length === 0) return;
  console.log(`build-template: installing ${missing.join(', ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run(['apt-get', 'install', '-y', '--no-install-recommends', '-o', 'DPkg::Lock::Timeout=600', ...missing], env);
}

/** The newest cloudy_*.deb in the checkout root (where `npm run deb` writes it). */
function newestDeb(dir = CHECKOUT): string | undefined {
  return readdirSync(dir).filter((name) => /^cloudy_[^_]+_[^_]+\.deb$/.test(name))
    .map((name) => path.join(dir, name))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
}

/** `cloudy-rootfs_<version>_<arch>.tar.zst`: the package's version, the machine's architecture (the rootfs is native). */
function templateName(deb: string): string {
  const version = output(['dpkg-deb', '--field', deb, 'Version']);
  const arch = output(['dpkg', '--print-architecture']);
  return `cloudy-rootfs_${version}_${arch}.tar.zst`;
}

function buildRootfs(options: TemplateOptions): void {
  if (process.getuid?.() !== 0) throw new TemplateError('build-template must run as root (mmdebstrap installs packages into a chroot).');
  ensureTools();
  const packages = [...new Set([...BASE_PACKAGES, ...options.include])];
  const hooks = [...HOSTNAME_HOOKS, ...(options.deb ? CLOUDY_HOOKS : [])];
  const suite = options.suite;
  // mmdebstrap picks the compression from the name, so the temporary name keeps the extension; renamed when complete.
  const partial = `${options.output}.partial-${process.pid}.tar.zst`;
  const argv = [
    'mmdebstrap', '--variant=apt', `--include=${packages.join(',')}`,
    ...(options.keepAptLists ? ['--skip=cleanup/apt/lists'] : []),
    ...hooks.map((hook) => `--customize-hook=${hook}`),
    suite, partial, MIRROR,
    `deb http://deb.debian.org/debian-security ${suite}-security main`,
    `deb ${MIRROR} ${suite}-updates main`,
  ];
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive', CLOUDY_TEMPLATE_DEB: options.deb ? path.resolve(options.deb) : '' };
  const started = Date.now();
  try {
    run(argv, env);
    renameSync(partial, options.output);
  } finally {
    rmSync(partial, { force: true });
  }
  console.log(`build-template: ${options.output} (${(statSync(options.output).size / 1e6).toFixed(1)} MB) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

function main(): void {
  const { values } = parseArgs({
    options: {
      deb: { type: 'string' },
      output: { type: 'string' },
      suite: { type: 'string', default: 'trixie' },
      'without-cloudy': { type: 'boolean', default: false },
      include: { type: 'string', default: '' },
      'keep-apt-lists': { type: 'boolean', default: false },
    },
  });
  const suite = SUITES.find((name) => name === values.suite);
  if (!suite) throw new TemplateError(`--suite must be one of ${SUITES.join(', ')}, got "${values.suite}".`);
  const include = values.include!.split(',').filter(Boolean);
  if (include.some((name) => !/^[a-z0-9][a-z0-9+.-]+$/.test(name))) throw new TemplateError(`--include takes Debian package names separated by commas, got "${values.include}".`);
  const deb = values['without-cloudy'] ? undefined : values.deb ?? newestDeb();
  if (!values['without-cloudy']) {
    if (!deb) throw new TemplateError('No cloudy_*.deb in the checkout: run `npm run deb` first, or pass --deb FILE.');
    if (!existsSync(deb)) throw new TemplateError(`--deb ${deb}: no such file.`);
  }
  const outputFile = values.output ?? (deb ? path.join(CHECKOUT, templateName(deb)) : undefined);
  if (!outputFile) throw new TemplateError('--without-cloudy needs --output FILE.');
  buildRootfs({ suite, deb, output: path.resolve(outputFile), include, keepAptLists: values['keep-apt-lists']! });
}

try {
  main();
} catch (error) {
  // TypeError: parseArgs refusing an unknown option.
  if (!(error instanceof TemplateError) && !(error instanceof TypeError)) throw error;
  console.error(`build-template: ${error.message}`);
  process.exit(1);
}
