// Generic root actions that install, inspect and remove a module's declared Debian packages.
import { existsSync, readdirSync } from 'node:fs';

import { Type } from '@sinclair/typebox';

import { defineAction, type ActionContext } from '../../kit/privileged-action.ts';
import { MODULE_ID_PATTERN } from '../../shared/http-names.ts';
import { parseAptStatusLine } from './apt-status.ts';

const ModuleArgs = Type.Object({ module: Type.String({ pattern: MODULE_ID_PATTERN }) }, { additionalProperties: false });
const PackageStatus = Type.Object({
  installed: Type.Boolean(),
  packages: Type.Array(Type.Object({ name: Type.String(), version: Type.Union([Type.String(), Type.Null()]) })),
});

const APT_ENV = { DEBIAN_FRONTEND: 'noninteractive', APT_LISTCHANGES_FRONTEND: 'none' };
const APT_OPTIONS = ['-y', '--no-install-recommends', '-o', 'DPkg::Lock::Timeout=600', '-o', 'Dpkg::Options::=--force-confold', '-o', 'APT::Status-Fd=3'];

export async function queryPackages(names: string[], context: ActionContext) {
  const { stdout } = await context.door.run('dpkg-query', ['-W', '-f', '${Package}\t${db:Status-Abbrev}\t${Version}\n', ...names]);
  const found = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const [name, status, version] = line.split('\t');
    if (name && status?.startsWith('ii')) found.set(name, version ?? '');
  }
  const packages = names.map((name) => ({ name, version: found.get(name) ?? null }));
  return { installed: packages.every((entry) => entry.version !== null), packages };
}

function packageListsPresent(): boolean {
  const listDir = '/var/lib/apt/lists';
  return existsSync(listDir) && readdirSync(listDir).some((file) => file.includes('_Packages'));
}

async function aptGet(args: string[], context: ActionContext): Promise<void> {
  const result = await context.door.run('apt-get', [...APT_OPTIONS, ...args], {
    env: APT_ENV,
    onStatusLine: (line) => {
      const progress = parseAptStatusLine(line);
      if (progress) context.progress(progress);
    },
  });
  if (result.code !== 0) {
    const reason = result.stderr.split('\n').filter((line) => line.startsWith('E:')).join(' ') || result.stderr.trim().slice(-500);
    throw new Error(`apt-get ${args[0]} failed: ${reason}`);
  }
}

/** apt-get install with apt's progress streamed; fetches package lists first on a machine that has none. */
export async function installPackages(names: string[], context: ActionContext) {
  if (!packageListsPresent()) {
    context.progress({ percent: 0, message: 'Updating package lists' });
    const updated = await context.door.run('apt-get', ['update', '-o', 'DPkg::Lock::Timeout=600'], { env: APT_ENV });
    if (updated.code !== 0) throw new Error(`apt-get update failed: ${updated.stderr.trim().slice(-500)}`);
  }
  context.progress({ percent: 0, message: `Installing ${names.join(', ')}` });
  await aptGet(['install', ...names], context);
  return queryPackages(names, context);
}

export const packageActions = [
  defineAction({
    name: 'packages.status',
    description: "Report whether a module's Debian packages are installed",
    args: ModuleArgs,
    result: PackageStatus,
    run: ({ module }, context) => queryPackages(context.manifest(module).packages, context),
  }),
  defineAction({
    name: 'packages.install',
    description: "Install a module's Debian packages with apt, streaming apt's own progress",
    args: ModuleArgs,
    result: PackageStatus,
    run: ({ module }, context) => installPackages(context.manifest(module).packages, context),
  }),
  defineAction({
    name: 'packages.remove',
    description: "Remove a module's Debian packages with apt",
    args: ModuleArgs,
    result: PackageStatus,
    async run({ module }, context) {
      const names = context.manifest(module).packages;
      await aptGet(['remove', ...names], context);
      return queryPackages(names, context);
    },
  }),
];
