// DNSServices' root actions: its user and directories, named.conf and the zones checked by bind's own tools before
// they replace the ones in use, reloads (SIGHUP), and the configuration check of the diagnostics.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';

import { Type } from '@sinclair/typebox';

import { defineAction } from '../../kit/privileged-action.ts';
import type { ActionContext } from '../../kit/privileged-action.ts';
import { resolveDeclaredPath } from '../../kit/template.ts';
import { communityZone, hostsOf, reverseZone, reverseZoneName } from './community-zone.ts';
import { hostLabel } from './dns-names.ts';
import { DnsValueError } from './dns-values.ts';
import { dnsservicesManifest } from './manifest.ts';
import { namedConfig } from './named-config.ts';

const USER = dnsservicesManifest.systemUsers[0]!.name;
const settings = dnsservicesManifest.configSchema.properties;
/** As module.ts bounds them before the call (discovery bounds them tighter still). */
const SERVICE = Type.Object(
  {
    type: Type.String({ maxLength: 80 }),
    description: Type.String({ maxLength: 300 }),
    node: Type.String({ maxLength: 300 }),
    address: Type.String({ maxLength: 64 }),
    port: Type.Integer({ minimum: 0, maximum: 65535 }),
    txt: Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 300 })),
  },
  { additionalProperties: false },
);
export const MAX_SERVICES = 2000;

function filesOf(context: ActionContext) {
  const config = resolveDeclaredPath(context.root, dnsservicesManifest.paths.config);
  return {
    home: resolveDeclaredPath(context.root, dnsservicesManifest.paths.home),
    config: path.join(config, 'named.conf'),
    zones: path.join(config, 'zones'),
    candidates: path.join(config, 'candidates'),
  };
}

/** The last lines bind's checkers print: why they refused. */
const complaint = (output: string) => output.trim().split('\n').slice(-3).join('; ');

/** SOA serials only grow (RFC 1982): the next is at least the time in seconds and always above the one in use. */
export function nextSerial(current: number | null, nowSeconds: number): number {
  return Math.max((current ?? 0) + 1, nowSeconds) % 2 ** 32;
}

const serialOf = (zoneText: string): number | null => {
  const match = /^@ IN SOA \S+ \S+ (\d+) /m.exec(zoneText);
  return match ? Number(match[1]) : null;
};

export const dnsservicesActions = [
  defineAction({
    name: 'dnsservices.prepareHome',
    description: 'Create the DNS user, its working directory and the root-owned directories of named.conf and the zones',
    args: Type.Object({}, { additionalProperties: false }),
    result: Type.Null(),
    async run(_args, context) {
      const files = filesOf(context);
      // On a systemd host, apt starts Debian's own named on port 53. Cloudy runs its own.
      if (existsSync('/run/systemd/system')) await context.door.run('systemctl', ['disable', '--now', 'named.service'], { timeoutMs: 30_000 });
      await context.door.ensureSystemUser(USER, files.home);
      await context.door.ensureDirectory(files.home, { mode: 0o750, user: USER });
      // Root-owned and not writable by the daemon: named reads its config and zones but never changes them.
      for (const directory of [path.dirname(files.config), files.zones, files.candidates]) await context.door.ensureDirectory(directory, { mode: 0o755 });
      return null;
    },
  }),
  defineAction({
    name: 'dnsservices.writeConfig',
    description:
      'Generate named.conf, the community zone and its reverse zones from settings and discovered records, check each candidate with named-checkzone and named-checkconf, and only then put them in place',
    args: Type.Object(
      {
        settings: Type.Pick(dnsservicesManifest.configSchema, ['port', 'clientSubnets', 'forwarders'], { additionalProperties: false }),
        zone: Type.String({ pattern: settings.zone.pattern, minLength: 1, maxLength: 200 }),
        self: Type.Object({ node: Type.String({ maxLength: 300 }), address: Type.String({ maxLength: 64 }) }, { additionalProperties: false }),
        services: Type.Array(SERVICE, { maxItems: MAX_SERVICES }),
        nodes: Type.Optional(Type.Array(Type.Object({ node: Type.String({ maxLength: 300 }), address: Type.String({ maxLength: 64 }) }, { additionalProperties: false }), { maxItems: MAX_SERVICES })),
      },
      { additionalProperties: false },
    ),
    result: Type.Object({ changed: Type.Boolean(), serial: Type.Integer() }),
    async run(args, context) {
      const files = filesOf(context);
      const communityFile = path.join(files.zones, 'community.zone');
      const current = existsSync(communityFile) ? await context.door.readFile(communityFile) : null;
      const hosts = hostsOf({ zone: args.zone, serial: 0, self: args.self, services: args.services, nodes: args.nodes });
      const nameServer = hostLabel(args.self.node) ?? 'ns';
      const reverse = args.settings.clientSubnets.map(reverseZoneName).filter((name): name is string => name !== null);
      const render = (serial: number) => {
        const zones = [{ name: args.zone, file: communityFile, text: communityZone({ zone: args.zone, serial, self: args.self, services: args.services, nodes: args.nodes }) }];
        for (const name of reverse) zones.push({ name, file: path.join(files.zones, `${name}.zone`), text: reverseZone(name, serial, hosts, args.zone, nameServer) });
        const config = namedConfig({ ...args.settings, zones: zones.map(({ name, file }) => ({ name, file })), paths: { home: files.home } });
        return { zones, config };
      };
      const currentSerial = current === null ? null : serialOf(current);
      let rendered;
      try {
        rendered = render(currentSerial ?? 0);
      } catch (error) {
        if (error instanceof DnsValueError) throw new Error(`The DNS settings are not valid: ${error.message}`);
        throw error;
      }
      const same = async (file: string, text: string) => existsSync(file) && (await context.door.readFile(file)) === text;
      let unchanged = await same(files.config, rendered.config);
      for (const zone of rendered.zones) unchanged &&= await same(zone.file, zone.text);
      if (unchanged) return { changed: false, serial: currentSerial ?? 0 };

      const serial = nextSerial(currentSerial, Math.floor(Date.now() / 1000));
      rendered = render(serial);
      // Every candidate is checked by bind before any file in use changes: a bad zone never replaces a good one. A
      // directory per call: a discovery change and a settings change may write at the same time.
      const candidates = path.join(files.candidates, randomUUID());
      await context.door.ensureDirectory(candidates, { mode: 0o755 });
      try {
        for (const zone of rendered.zones) {
          const candidate = path.join(candidates, path.basename(zone.file));
          await context.door.writeFileAtomic(candidate, zone.text, { mode: 0o644 });
          const checked = await context.door.run('named-checkzone', [zone.name, candidate], { user: USER, timeoutMs: 30_000 });
          if (checked.code !== 0) throw new Error(`named-checkzone refused the new ${zone.name} zone, the one in use is unchanged: ${complaint(checked.stdout + checked.stderr)}`);
        }
        const configCandidate = path.join(candidates, 'named.conf');
        await context.door.writeFileAtomic(configCandidate, rendered.config, { mode: 0o644 });
        const parsed = await context.door.run('named-checkconf', [configCandidate], { user: USER, timeoutMs: 30_000 });
        if (parsed.code !== 0) throw new Error(`named-checkconf refused the new configuration, the one in use is unchanged: ${complaint(parsed.stdout + parsed.stderr)}`);
      } finally {
        await context.door.removeTree(candidates);
      }
      for (const zone of rendered.zones) await context.door.writeFileAtomic(zone.file, zone.text, { mode: 0o644 });
      await context.door.writeFileAtomic(files.config, rendered.config, { mode: 0o644 });
      return { changed: true, serial };
    },
  }),
  defineAction({
    name: 'dnsservices.reload',
    description: 'Make the running named read its configuration and zones again (SIGHUP, as rndc reload), without a restart',
    args: Type.Object({}, { additionalProperties: false }),
    result: Type.Object({ reloaded: Type.Boolean() }),
    async run(_args, context) {
      const pidFile = path.join(filesOf(context).home, 'named.pid');
      if (!existsSync(pidFile)) return { reloaded: false };
      const pid = Number((await context.door.readFile(pidFile)).trim());
      if (!Number.isInteger(pid) || pid <= 1) return { reloaded: false };
      // Sent as the daemon's user, so a forged pid file can only make it signal its own processes.
      const signalled = await context.door.run('kill', ['-s', 'HUP', String(pid)], { user: USER, timeoutMs: 10_000 });
      return { reloaded: signalled.code === 0 };
    },
  }),
  defineAction({
    name: 'dnsservices.checkConfig',
    description: 'Have named-checkconf read the configuration in use and load its zones (diagnostics)',
    args: Type.Object({}, { additionalProperties: false }),
    result: Type.Object({ accepted: Type.Boolean(), message: Type.String() }),
    async run(_args, context) {
      const checked = await context.door.run('named-checkconf', ['-z', filesOf(context).config], { user: USER, timeoutMs: 30_000 });
      return { accepted: checked.code === 0, message: checked.code === 0 ? 'accepted' : complaint(checked.stdout + checked.stderr) };
    },
  }),
];
