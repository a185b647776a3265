// The three nameds of `npm run bench:dns`: the dnsservices module's (its own root actions write the config), a plain
// one configured by hand for the same zones and the same forwarder, and the upstream both forward to.
import { chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { PrivilegedAction } from '../src/kit/privileged-action.ts';
import { expandTemplate, resolveDeclaredPath } from '../src/kit/template.ts';
import { dnsservicesManifest } from '../src/modules/dnsservices/manifest.ts';
import { dnsservicesActions } from '../src/modules/dnsservices/privileged.ts';
import { moduleActions } from '../test/support/module-actions.ts';
import type { Lab, LabHost } from '../test/support/netns-lab.ts';
import { onCleanup } from './bench-cleanup.ts';
import { communityServices, ELSEWHERE, elsewhereZone, nodeAddress, nodeName } from './dns-zone-fixture.ts';

export const ZONE = 'guifi.internal';
const USER = dnsservicesManifest.systemUsers[0]!.name;
const settings = dnsservicesManifest.configSchema.properties;

/** As the module runs it: argv, working directory and user from the manifest; returns the named.conf it wrote. */
export async function startCloudyNamed(lab: Lab, host: LabHost, root: string, port: number, forwarder: string): Promise<string> {
  const actions = moduleActions(root, dnsservicesManifest, dnsservicesActions as PrivilegedAction[]);
  await actions.call('dnsservices.prepareHome');
  await actions.call('dnsservices.writeConfig', {
    settings: { port, clientSubnets: settings.clientSubnets.default, forwarders: [forwarder] },
    zone: ZONE,
    self: { node: nodeName(0), address: nodeAddress(0) },
    services: communityServices(),
  });
  const [daemon] = dnsservicesManifest.daemons;
  const argv = daemon.argv.map((part) => expandTemplate(part, { root, paths: dnsservicesManifest.paths, config: { port }, secrets: {} }));
  startAs(lab, host, USER, argv, resolveDeclaredPath(root, dnsservicesManifest.paths.home));
  return path.join(resolveDeclaredPath(root, dnsservicesManifest.paths.config), 'named.conf');
}

/**
 * What an admin would write by hand for the same zone files and forwarder: BIND's defaults otherwise (recursion for its
 * local networks, default logging). It needs the module's exception from DNSSEC validation, or the forwarded zone fails.
 */
export function startPlainNamed(lab: Lab, host: LabHost, cloudyConfig: string, port: number, forwarder: string): void {
  const directory = scratchDirectory('plain', USER);
  const zones = [...readFileSync(cloudyConfig, 'utf8').matchAll(/^zone "([^"]+)" \{ type primary; file "([^"]+)";/gm)];
  writeConfig(directory, [
    `options { directory "${directory}"; pid-file "${directory}/named.pid"; session-keyfile "${directory}/session.key"; listen-on port ${port} { any; }; listen-on-v6 { none; };`,
    `  forwarders { ${forwarder}; }; forward first; validate-except { "internal"; }; };`,
    'controls { };',
    ...zones.map(([, name, file]) => `zone "${name}" { type primary; file "${file}"; };`),
  ]);
  startAs(lab, host, USER, ['named', '-f', '-c', path.join(directory, 'named.conf')], directory);
}

/** Another community's DNS on port 53 (forwarders have no port in the module's settings), authoritative only. */
export function startUpstream(lab: Lab, host: LabHost): void {
  const directory = scratchDirectory('upstream');
  writeFileSync(path.join(directory, 'zone'), elsewhereZone(host.address), { mode: 0o644 });
  writeConfig(directory, [
    `options { directory "${directory}"; pid-file "${directory}/named.pid"; session-keyfile "${directory}/session.key"; listen-on { ${host.address}; }; listen-on-v6 { none; }; recursion no; };`,
    'controls { };',
    `zone "${ELSEWHERE}" { type primary; file "${directory}/zone"; };`,
  ]);
  // As root: port 53 without the module's capability setup. named keeps no DAC override, so root owns its directory.
  const named = lab.spawn(host, ['named', '-f', '-c', path.join(directory, 'named.conf')], { cwd: directory });
  onCleanup(() => named.stop());
}

function startAs(lab: Lab, host: LabHost, user: string, argv: string[], cwd: string): void {
  const named = lab.spawn(host, ['setpriv', `--reuid=${user}`, `--regid=${user}`, '--clear-groups', ...argv], { cwd });
  onCleanup(() => named.stop());
}

/** A directory for named's config, pid and key files, owned by the user it runs as (root when none is given). */
function scratchDirectory(name: string, owner?: string): string {
  const directory = mkdtempSync(path.join(os.tmpdir(), `cloudy-bench-named-${name}-`));
  onCleanup(() => rmSync(directory, { recursive: true, force: true }));
  if (owner) {
    const { uid, gid } = userIds(owner);
    chownSync(directory, uid, gid);
  }
  return directory;
}

function writeConfig(directory: string, lines: string[]): void {
  writeFileSync(path.join(directory, 'named.conf'), `${lines.join('\n')}\n`, { mode: 0o644 });
}

function userIds(name: string): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((entry) => entry.startsWith(`${name}:`));
  if (!line) throw new Error(`no user ${name}: the module's prepareHome action creates it`);
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}
