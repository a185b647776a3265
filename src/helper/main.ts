// cloudy-helper: the root process. Composition root of the privileged side; nothing else runs as root.
import { chownSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

import type { PrivilegedAction } from '../kit/privileged-action.ts';
import { resolveDeclaredPath } from '../kit/template.ts';
import { moduleManifests } from '../modules/index.ts';
import { modulePrivilegedActions } from '../modules/privileged-index.ts';
import { CLOUDY_ACCOUNT, nodeLayout } from '../shared/node-layout.ts';
import { ActionRegistry } from './action-registry.ts';
import { createDaemonActions } from './actions/daemon-actions.ts';
import { AVAHI_SERVICES_DIR, createDiscoveryActions, SERF_HOME } from './actions/discovery-actions.ts';
import { nodeActions } from './actions/node-actions.ts';
import { packageActions } from './actions/package-actions.ts';
import { createVpnActions, TINC_DIR } from './actions/vpn-actions.ts';
import { AuditLog } from './audit-log.ts';
import { HelperServer } from './helper-server.ts';
import { EmbeddedSupervisor } from './supervisor.ts';
import { LocalSystemDoor } from './system-door.ts';

const { values } = parseArgs({ options: { root: { type: 'string', default: process.env.CLOUDY_ROOT ?? '/' } } });
const layout = nodeLayout(path.resolve(values.root!));

if (process.getuid?.() !== 0) {
  console.error('cloudy-helper must run as root: it is the only part of Cloudy that changes the system.');
  process.exit(1);
}

// Explicit 0755 on every level: daemons running as their own users must traverse the root dir.
for (const dir of [layout.etcDir, layout.runDir]) mkdirSync(dir, { recursive: true, mode: 0o755 });
mkdirSync(path.dirname(layout.logDir), { recursive: true, mode: 0o755 });
mkdirSync(layout.logDir, { recursive: true, mode: 0o750 });

const declaredPaths = moduleManifests.flatMap((manifest) => Object.values(manifest.paths).map((declared) => resolveDeclaredPath(layout.root, declared)));
const areaPaths = [SERF_HOME, AVAHI_SERVICES_DIR, TINC_DIR].map((declared) => resolveDeclaredPath(layout.root, declared));
const door = new LocalSystemDoor([layout.etcDir, path.join(layout.root, 'etc/hostname'), ...areaPaths, ...declaredPaths]);
const account = await door.ensureSystemUser(CLOUDY_ACCOUNT, layout.dataDir);
mkdirSync(path.dirname(layout.dataDir), { recursive: true, mode: 0o755 });
mkdirSync(layout.dataDir, { recursive: true, mode: 0o750 });
chownSync(layout.dataDir, account.uid, account.gid);

const supervisor = new EmbeddedSupervisor(path.join(layout.runDir, 'supervisor'));
const reaped = supervisor.reapOrphans();
if (reaped.length > 0) console.log(`cloudy-helper: stopped daemons left by a previous helper: ${reaped.join(', ')}`);

const actions = [...nodeActions, ...packageActions, ...createDaemonActions(supervisor), ...createDiscoveryActions(supervisor), ...createVpnActions(supervisor), ...modulePrivilegedActions] as PrivilegedAction[];
const registry = new ActionRegistry(moduleManifests, actions);
const server = new HelperServer({
  socketPath: layout.helperSocket,
  socketGid: account.gid,
  registry,
  audit: new AuditLog(layout.auditLogFile),
  context: { root: layout.root, door, manifest: (id) => registry.manifest(id) },
});
await server.listen();
console.log(`cloudy-helper: listening on ${layout.helperSocket} (${registry.names().length} actions)`);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`cloudy-helper: ${signal}, stopping daemons`);
  await server.close();
  await supervisor.stopAll();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
