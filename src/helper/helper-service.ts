// The helper's service: the door, the supervisor, every action, and the socket cloudyd talks to. Composition root of
// the privileged side, loaded by main.ts once cloudyd is on its way.
import path from 'node:path';

import type { PrivilegedAction } from '../kit/privileged-action.ts';
import { resolveDeclaredPath } from '../kit/template.ts';
import { moduleManifests } from '../modules/index.ts';
import { modulePrivilegedActions } from '../modules/privileged-index.ts';
import type { NodeLayout } from '../shared/node-layout.ts';
import { ActionRegistry } from './action-registry.ts';
import { createDaemonActions } from './actions/daemon-actions.ts';
import { AVAHI_SERVICES_DIR, createDiscoveryActions, SERF_HOME } from './actions/discovery-actions.ts';
import { nodeActions } from './actions/node-actions.ts';
import { packageActions } from './actions/package-actions.ts';
import { createVpnActions, TINC_DIR } from './actions/vpn-actions.ts';
import { AuditLog } from './audit-log.ts';
import type { CloudydKeeper } from './cloudyd-keeper.ts';
import { HelperServer } from './helper-server.ts';
import { EmbeddedSupervisor, type Supervisor } from './supervisor.ts';
import { SystemdSupervisor } from './systemd-supervisor.ts';
import { LocalSystemDoor } from './system-door.ts';

export async function serveHelper({ layout, account, supervisorKind, cloudyd }: { layout: NodeLayout; account: { uid: number; gid: number }; supervisorKind: string; cloudyd: CloudydKeeper | null }): Promise<void> {
  const declaredPaths = moduleManifests.flatMap((manifest) => Object.values(manifest.paths).map((declared) => resolveDeclaredPath(layout.root, declared)));
  const areaPaths = [SERF_HOME, AVAHI_SERVICES_DIR, TINC_DIR].map((declared) => resolveDeclaredPath(layout.root, declared));
  const door = new LocalSystemDoor([layout.etcDir, path.join(layout.root, 'etc/hostname'), ...areaPaths, ...declaredPaths]);

  let supervisor: Supervisor;
  if (supervisorKind === 'systemd') {
    supervisor = new SystemdSupervisor((program, args, runOptions) => door.run(program, args, runOptions));
  } else {
    const embedded = new EmbeddedSupervisor(path.join(layout.runDir, 'supervisor'));
    const reaped = embedded.reapOrphans();
    if (reaped.length > 0) console.log(`cloudy-helper: stopped daemons left by a previous helper: ${reaped.join(', ')}`);
    supervisor = embedded;
  }

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
  console.log(`cloudy-helper: listening on ${layout.helperSocket} (${registry.names().length} actions, ${supervisorKind} supervisor)`);

  let stopping = false;
  async function shutdown(signal: string): Promise<void> {
    if (stopping) return;
    stopping = true;
    console.log(`cloudy-helper: ${signal}, stopping ${cloudyd ? 'cloudyd, then ' : ''}the daemons`);
    await cloudyd?.stop();
    await server.close();
    await supervisor.stopAll();
    process.exit(0);
  }
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.removeAllListeners(signal);
    process.on(signal, () => void shutdown(signal));
  }
}
