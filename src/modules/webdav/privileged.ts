// WebDAV's root actions: its user and home, the node's key copied for it, the tested apache2 config, passwords, shares.
import { existsSync } from 'node:fs';
import path from 'node:path';

import { Type } from '@sinclair/typebox';

import { defineAction, type ActionContext } from '../../kit/privileged-action.ts';
import { isInside } from '../../kit/template.ts';
import { apacheConfig, assertShareName, MAX_UPLOAD_LIMIT_MIB } from './apache-config.ts';
import { webdavManifest } from './manifest.ts';
import { BCRYPT_HASH_PATTERN, passwordFile } from './password-file.ts';
import { WEBDAV_USER as USER, webdavLayout } from './webdav-layout.ts';

const shareName = Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,31}$', maxLength: 32 });
const userName = Type.String({ pattern: '^[a-z][a-z0-9_-]{0,31}$', maxLength: 32 });
const user = Type.Object({ name: userName, passwordHash: Type.String({ pattern: BCRYPT_HASH_PATTERN.source }) }, { additionalProperties: false });
const share = Type.Object(
  {
    name: shareName,
    readOnlyUsers: Type.Array(userName, { maxItems: 200 }),
    readWriteUsers: Type.Array(userName, { maxItems: 200 }),
    public: Type.Boolean(),
  },
  { additionalProperties: false },
);

/** The PID apache wrote, or null when it does not run (no pid file). */
async function apachePid(context: ActionContext, pidFile: string): Promise<number | null> {
  if (!(await context.door.listDirectory(path.dirname(pidFile))).includes(path.basename(pidFile))) return null;
  const pid = Number((await context.door.readFile(pidFile)).trim());
  return Number.isInteger(pid) && pid > 1 ? pid : null;
}

export const webdavActions = [
  defineAction({
    name: 'webdav.prepareHome',
    description: 'Create the webdav user, its home and run dirs, copy the node certificate and key for it, and keep Debian’s own apache2 service off',
    args: Type.Object({}, { additionalProperties: false }),
    result: Type.Null(),
    async run(_args, context) {
      const layout = webdavLayout(context.root);
      await context.door.ensureSystemUser(USER, layout.home);
      await context.door.ensureDirectory(layout.home, { mode: 0o700, user: USER });
      for (const directory of [layout.tlsDir, layout.runDir, layout.lockDir, layout.emptyRoot]) {
        await context.door.ensureDirectory(directory, { mode: 0o700, user: USER });
      }
      await context.door.ensureDirectory(layout.sharesDir, { mode: 0o755 });
      // Apache reads its key as cloudy-webdav (it never runs as root), so it gets its own 0600 copy, renewed at each
      // setup; the node's key in etc/cloudy/tls stays readable by root and cloudyd only.
      await context.door.writeFileAtomic(layout.keyFile, await context.door.readFile(layout.nodeKeyFile), { mode: 0o600, user: USER });
      await context.door.writeFileAtomic(layout.certificateFile, await context.door.readFile(layout.nodeCertificateFile), { mode: 0o644, user: USER });
      // On a systemd host, apt starts Debian's apache2.service (port 80, /var/www/html). Cloudy runs its own apache2.
      if (existsSync('/run/systemd/system')) {
        await context.door.run('systemctl', ['disable', '--now', 'apache2.service', 'apache-htcacheclean.service'], { timeoutMs: 30_000 });
      }
      return null;
    },
  }),
  defineAction({
    name: 'webdav.writeConfig',
    description:
      'Create the share folders, write the password file from the users’ bcrypt hashes, and apache2.conf from the shares and settings after apache2 -t accepted it; optionally reload the running server',
    args: Type.Object(
      {
        port: webdavManifest.configSchema.properties.port,
        uploadLimitMiB: Type.Integer({ minimum: 1, maximum: MAX_UPLOAD_LIMIT_MIB }),
        shares: Type.Array(share, { maxItems: 200 }),
        users: Type.Array(user, { maxItems: 500 }),
        reload: Type.Boolean(),
      },
      { additionalProperties: false },
    ),
    result: Type.Object({ changed: Type.Boolean(), reloaded: Type.Boolean() }),
    async run({ port, uploadLimitMiB, shares, users, reload }, context) {
      const layout = webdavLayout(context.root);
      // The shares path stays root's: the webdav user cannot swap a share folder for a link to elsewhere.
      await context.door.ensureDirectory(layout.sharesDir, { mode: 0o755 });
      for (const { name } of shares) {
        const folder = path.join(layout.sharesDir, assertShareName(name));
        if (!isInside(layout.sharesDir, folder) || folder === layout.sharesDir) throw new Error(`Share ${name} would be outside ${webdavManifest.paths.shares}.`);
        await context.door.ensureDirectory(folder, { mode: 0o750, user: USER });
      }
      // Written whole from the users every time (Apache reads it at each request: no reload): a removed user is gone at
      // once, and whatever the home's owner did to the file, it is 0600 again.
      await context.door.writeFileAtomic(layout.usersFile, passwordFile(users), { mode: 0o600, user: USER });
      const text = apacheConfig({ ...layout, serverName: 'localhost', port, uploadLimitMiB, shares });
      const files = await context.door.listDirectory(layout.home);
      const changed = !files.includes(path.basename(layout.configFile)) || (await context.door.readFile(layout.configFile)) !== text;
      if (changed) {
        await context.door.writeFileAtomic(layout.candidateConfigFile, text, { mode: 0o600, user: USER });
        // As the daemon's user: it is the account that must be able to read what the config names.
        const test = await context.door.run('apache2', ['-t', '-f', layout.candidateConfigFile], { user: USER, cwd: layout.home, timeoutMs: 30_000 });
        await context.door.removeTree(layout.candidateConfigFile);
        if (test.code !== 0) throw new Error(`apache2 refused the new configuration, the running one is kept: ${test.stderr.trim() || test.stdout.trim()}`);
        await context.door.writeFileAtomic(layout.configFile, text, { mode: 0o600, user: USER });
      }
      if (!reload || !changed) return { changed, reloaded: false };
      // SIGUSR1 is apache's graceful restart: the same parent PID (the supervisor's), new config, connections finish.
      // Not `apache2 -k graceful`: when no server runs, it starts one itself, detached, outside the supervisor.
      // Sent as cloudy-webdav, so a forged pid file can only make it signal its own processes.
      const pid = await apachePid(context, layout.pidFile);
      if (pid === null) return { changed, reloaded: false };
      const signalled = await context.door.run('kill', ['-s', 'USR1', String(pid)], { user: USER, timeoutMs: 10_000 });
      return { changed, reloaded: signalled.code === 0 };
    },
  }),
  defineAction({
    name: 'webdav.fileModes',
    description: 'Owner and mode of the password file and the key copy, for diagnostics',
    args: Type.Object({}, { additionalProperties: false }),
    result: Type.Object({ usersFile: Type.String(), keyFile: Type.String() }),
    async run(_args, context) {
      const layout = webdavLayout(context.root);
      // stat without -L: a planted link reports as a link, not as its target.
      const stat = async (file: string) => {
        const result = await context.door.run('stat', ['--format=%a %U %F', '--', file], { timeoutMs: 10_000 });
        return result.code === 0 ? result.stdout.trim() : 'missing';
      };
      return { usersFile: await stat(layout.usersFile), keyFile: await stat(layout.keyFile) };
    },
  }),
];
