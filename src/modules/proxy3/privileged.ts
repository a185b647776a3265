// Proxy3's root actions: its user and directories, squid.conf checked by squid before use, passwords, reloads.
import { existsSync } from 'node:fs';
import path from 'node:path';

import { Type } from '@sinclair/typebox';

import { defineAction } from '../../kit/privileged-action.ts';
import type { ActionContext } from '../../kit/privileged-action.ts';
import { resolveDeclaredPath } from '../../kit/template.ts';
import { proxy3Manifest } from './manifest.ts';
import { Proxy3ValueError } from './proxy3-values.ts';
import { squidConfig, squidFiles } from './squid-config.ts';
import type { SquidConfigInput } from './squid-config.ts';

const USER = proxy3Manifest.systemUsers[0]!.name;
/** For `squid -z`, which runs while the daemon is stopped: a name no running squid uses (see the manifest's -n). */
const CACHE_INIT_SERVICE_NAME = 'cloudyproxy3init';
const settings = proxy3Manifest.configSchema.properties;
/** bcrypt as cloudyd makes it (src/kit/bcrypt.ts) and basic_ncsa_auth reads it through libxcrypt's crypt(3). */
const BCRYPT_HASH = /^\$2y\$\d\d\$[./A-Za-z0-9]{53}$/;
const LOGIN = Type.String({ pattern: '^[a-z][a-z0-9._-]{0,31}$', maxLength: 32 });
const USER_ENTRY = Type.Object({ name: LOGIN, passwordHash: Type.String({ pattern: BCRYPT_HASH.source }) }, { additionalProperties: false });
const CIDR = Type.String({ pattern: '^[0-9A-Fa-f:.]{2,39}/[0-9]{1,3}$', maxLength: 43 });
const PROXY_ID = settings.proxyId;

function filesOf(context: ActionContext) {
  return squidFiles({
    configDir: resolveDeclaredPath(context.root, proxy3Manifest.paths.config),
    stateDir: resolveDeclaredPath(context.root, proxy3Manifest.paths.home),
  });
}

/** `squid -k <command>` as the daemon's user; it finds the running squid through pid_filename in the config. */
function squidControl(context: ActionContext, command: 'parse' | 'reconfigure', configFile: string) {
  return context.door.run('squid', ['-k', command, '-f', configFile], { user: USER, timeoutMs: 20_000 });
}

/** The lines of squid's output that say why it refused a configuration. */
function squidComplaints(output: string): string {
  const lines = output.split('\n').filter((line) => /FATAL|ERROR|Bungled|unrecognized|Terminated/i.test(line));
  return (lines.length > 0 ? lines : output.trim().split('\n').slice(-3)).map((line) => line.replace(/^\S+ \S+\| /, '').trim()).join('; ');
}

/** `Acquire::http::Proxy` for this node's apt; the file is Cloudy's own, in apt.conf.d. */
function aptProxyFile(context: ActionContext): string {
  return path.join(resolveDeclaredPath(context.root, proxy3Manifest.paths.aptConf), '80cloudy-proxy3-upstream');
}
const APT_PROXY_LINE = /^Acquire::http::Proxy "http:\/\/([^"/]+)\/";$/m;

export const proxy3Actions = [
  defineAction({
    name: 'proxy3.prepareHome',
    description: 'Create the proxy user, its cache/log/run directories, the root-owned config directory and the admin include (never overwritten)',
    args: Type.Object({}, { additionalProperties: false }),
    result: Type.Object({ createdAdminInclude: Type.Boolean() }),
    async run(_args, context) {
      const files = filesOf(context);
      // On a systemd host, apt starts Debian's own squid on 3128 (the default port here too). Cloudy runs its own.
      if (existsSync('/run/systemd/system')) await context.door.run('systemctl', ['disable', '--now', 'squid.service'], { timeoutMs: 30_000 });
      await context.door.ensureSystemUser(USER, files.stateDir);
      await context.door.ensureDirectory(files.stateDir, { mode: 0o750, user: USER });
      for (const directory of [path.dirname(files.pid), files.logDir, files.cacheDir]) await context.door.ensureDirectory(directory, { mode: 0o750, user: USER });
      // Root-owned and not writable by the daemon: squid can read its config but never change what it runs.
      await context.door.ensureDirectory(path.dirname(files.config), { mode: 0o755 });
      if (existsSync(files.adminInclude)) return { createdAdminInclude: false };
      await context.door.writeFileAtomic(files.adminInclude, '# Your own squid directives; Cloudy includes this file and never changes it.\n', { mode: 0o644 });
      return { createdAdminInclude: true };
    },
  }),
  defineAction({
    name: 'proxy3.writeConfig',
    description:
      'Write the password file from the users’ bcrypt hashes and the LDAP bind password file, generate squid.conf, have squid parse it as a candidate, and only then put it in place',
    args: Type.Object(
      {
        settings: Type.Pick(proxy3Manifest.configSchema, ['port', 'authentication', 'cacheMemMiB', 'cacheDiskMiB', 'errorLanguage', 'proxyId', 'federation', 'ldapServer', 'ldapBackupServer', 'ldapUsersDn', 'ldapProxiesDn', 'ldapBindDn'], { additionalProperties: false }),
        visibleHostname: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$', maxLength: 253 }),
        clientSubnets: Type.Array(CIDR, { minItems: 1, maxItems: 64 }),
        blockedDestinations: Type.Array(CIDR, { maxItems: 64 }),
        federatedProxies: Type.Array(PROXY_ID, { maxItems: 256 }),
        parents: Type.Array(Type.Object({ host: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$', maxLength: 253 }), port: settings.port }, { additionalProperties: false }), { maxItems: 8 }),
        users: Type.Array(USER_ENTRY, { maxItems: 5000 }),
        // Empty: bind anonymously. Written to a file only the proxy user reads (squid's helpers get it with -W).
        ldapBindPassword: settings.ldapBindPassword,
      },
      { additionalProperties: false },
    ),
    result: Type.Object({ changed: Type.Boolean(), passwordsChanged: Type.Boolean() }),
    async run(args, context) {
      const files = filesOf(context);
      const { settings: s } = args;
      // Whole files from data every time: whatever the daemon's user did to them, their owner and mode are right again.
      // basic_ncsa_auth re-reads the password file only when its mtime changes, in whole seconds: two changes within
      // one second would go unseen, so a changed file is reported and the caller reloads squid (new helpers).
      const passwords = args.users.map(({ name, passwordHash }) => `${name}:${passwordHash}\n`).join('');
      const passwordsChanged = !existsSync(files.passwords) || (await context.door.readFile(files.passwords)) !== passwords;
      if (passwordsChanged) await context.door.writeFileAtomic(files.passwords, passwords, { mode: 0o600, user: USER });
      await context.door.writeFileAtomic(files.ldapSecret, args.ldapBindPassword, { mode: 0o600, user: USER });
      const input: SquidConfigInput = {
        port: s.port,
        visibleHostname: args.visibleHostname,
        clientSubnets: args.clientSubnets,
        authentication: s.authentication,
        ldap: {
          servers: [s.ldapServer, s.ldapBackupServer].filter((server) => server !== ''),
          usersDn: s.ldapUsersDn,
          proxiesDn: s.ldapProxiesDn,
          bindDn: s.ldapBindDn,
          proxyId: s.proxyId,
          federation: s.federation,
          federatedProxies: args.federatedProxies,
        },
        cacheMemMiB: s.cacheMemMiB,
        cacheDiskMiB: s.cacheDiskMiB,
        errorLanguage: s.errorLanguage,
        blockedDestinations: args.blockedDestinations,
        parents: args.parents,
        paths: { configDir: path.dirname(files.config), stateDir: files.stateDir },
      };
      let text: string;
      try {
        text = squidConfig(input);
      } catch (error) {
        if (error instanceof Proxy3ValueError) throw new Error(`The proxy settings are not valid: ${error.message}`);
        throw error;
      }
      const current = existsSync(files.config) ? await context.door.readFile(files.config) : null;
      if (current === text) return { changed: false, passwordsChanged };
      if (!existsSync(`/usr/share/squid-langpack/${s.errorLanguage}`)) throw new Error(`squid has no error pages in "${s.errorLanguage}"; choose a language from /usr/share/squid-langpack.`);
      await context.door.writeFileAtomic(files.candidate, text, { mode: 0o644 });
      const parsed = await squidControl(context, 'parse', files.candidate);
      if (parsed.code !== 0) {
        await context.door.removeTree(files.candidate);
        throw new Error(`squid refused the new configuration, the running one is unchanged: ${squidComplaints(parsed.stderr + parsed.stdout)}`);
      }
      await context.door.writeFileAtomic(files.config, text, { mode: 0o644 });
      await context.door.removeTree(files.candidate);
      return { changed: true, passwordsChanged };
    },
  }),
  defineAction({
    name: 'proxy3.initCache',
    description: 'Create the disk cache directories (squid -z) while squid is stopped, when a disk cache is configured',
    args: Type.Object({ cacheDiskMiB: settings.cacheDiskMiB }, { additionalProperties: false }),
    result: Type.Object({ initialised: Type.Boolean() }),
    async run({ cacheDiskMiB }, context) {
      const files = filesOf(context);
      if (cacheDiskMiB === 0 || existsSync(path.join(files.cacheDir, '00'))) return { initialised: false };
      const made = await context.door.run('squid', ['-z', '-N', '-n', CACHE_INIT_SERVICE_NAME, '-f', files.config], { user: USER, timeoutMs: 60_000 });
      if (made.code !== 0) throw new Error(`squid could not create its disk cache: ${squidComplaints(made.stderr + made.stdout)}`);
      return { initialised: true };
    },
  }),
  defineAction({
    name: 'proxy3.reload',
    description: 'Make the running squid read its configuration again, without a restart (squid -k reconfigure)',
    args: Type.Object({}, { additionalProperties: false }),
    result: Type.Null(),
    async run(_args, context) {
      const files = filesOf(context);
      // With -N squid still writes pid_filename; -k reconfigure sends it SIGHUP and it reloads in place (same PID).
      const reloaded = await squidControl(context, 'reconfigure', files.config);
      if (reloaded.code !== 0) throw new Error(`squid did not reload: ${squidComplaints(reloaded.stderr + reloaded.stdout)}`);
      return null;
    },
  }),
  defineAction({
    name: 'proxy3.aptProxy',
    description: 'The community proxy this node’s apt downloads through (host:port), or empty',
    args: Type.Object({}, { additionalProperties: false }),
    result: Type.Object({ proxy: Type.String() }),
    async run(_args, context) {
      const file = aptProxyFile(context);
      if (!existsSync(file)) return { proxy: '' };
      return { proxy: APT_PROXY_LINE.exec(await context.door.readFile(file))?.[1] ?? '' };
    },
  }),
  defineAction({
    name: 'proxy3.setAptProxy',
    description: 'Make this node’s apt download through a community proxy (host:port), or not (empty)',
    args: Type.Object({ proxy: Type.String({ pattern: '^$|^[A-Za-z0-9][A-Za-z0-9.-]{0,252}:[0-9]{1,5}$', maxLength: 259 }) }, { additionalProperties: false }),
    result: Type.Null(),
    async run({ proxy }, context) {
      const file = aptProxyFile(context);
      if (proxy === '') {
        await context.door.removeTree(file);
        return null;
      }
      await context.door.ensureDirectory(path.dirname(file), { mode: 0o755 });
      const text = `// Written by Cloudy ("Use for this node's apt" in Search); undo it there.\nAcquire::http::Proxy "http://${proxy}/";\n`;
      await context.door.writeFileAtomic(file, text, { mode: 0o644 });
      return null;
    },
  }),
  defineAction({
    name: 'proxy3.checkConfig',
    description: 'Have squid parse the configuration in use (diagnostics)',
    args: Type.Object({}, { additionalProperties: false }),
    result: Type.Object({ accepted: Type.Boolean(), message: Type.String() }),
    async run(_args, context) {
      const parsed = await squidControl(context, 'parse', filesOf(context).config);
      return { accepted: parsed.code === 0, message: parsed.code === 0 ? 'accepted' : squidComplaints(parsed.stderr + parsed.stdout) };
    },
  }),
];
