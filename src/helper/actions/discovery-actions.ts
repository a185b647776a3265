// Root actions of discovery: install and run the Serf agent from validated settings; publish through avahi's service files.
import { existsSync } from 'node:fs';
import path from 'node:path';

import { Type } from '@sinclair/typebox';

import { defineAction, type ActionContext } from '../../kit/privileged-action.ts';
import { avahiServiceFile, avahiServiceFileName } from './avahi-service-file.ts';
import { SERVICE_TYPE_PATTERN, TXT_KEY_PATTERN } from '../../shared/discovery-contract.ts';
import type { Supervisor } from '../supervisor.ts';
import { installPackages, queryPackages } from './package-actions.ts';

export const SERF_USER = 'cloudy-serf';
export const SERF_HOME = '/var/lib/cloudy-serf';
export const AVAHI_SERVICES_DIR = '/etc/avahi/services';
const SERF_DAEMON_ID = 'discovery.serf';

const IPV4 = '^(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}$';
const Port = Type.Integer({ minimum: 1, maximum: 65535 });

const AgentSettings = Type.Object(
  {
    nodeName: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9.-]{0,79}$' }),
    bindAddress: Type.String({ pattern: IPV4 }),
    bindPort: Port,
    rpcPort: Port,
    join: Type.Array(Type.String({ pattern: '^[A-Za-z0-9.-]{1,253}(:[0-9]{1,5})?$' }), { maxItems: 32 }),
    encryptKey: Type.String({ pattern: '^([A-Za-z0-9+/]{22}==|[A-Za-z0-9+/]{32}|[A-Za-z0-9+/]{43}=)?$' }),
    rpcAuth: Type.String({ pattern: '^[A-Za-z0-9_-]{16,64}$' }),
    profile: Type.Union([Type.Literal('lan'), Type.Literal('wan'), Type.Literal('local')]),
  },
  { additionalProperties: false },
);

const AgentStatus = Type.Object({
  installed: Type.Boolean(),
  version: Type.Union([Type.String(), Type.Null()]),
  state: Type.String(),
  pid: Type.Union([Type.Integer(), Type.Null()]),
  restarts: Type.Integer(),
});

const AvahiAdvert = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 63, pattern: '^[^\\u0000-\\u001f\\u007f]+$' }),
    type: Type.String({ pattern: SERVICE_TYPE_PATTERN }),
    protocol: Type.Union([Type.Literal('tcp'), Type.Literal('udp')]),
    port: Type.Integer({ minimum: 0, maximum: 65535 }),
    txt: Type.Record(Type.String({ pattern: TXT_KEY_PATTERN }), Type.String({ maxLength: 255, pattern: '^[^\\u0000-\\u001f\\u007f]*$' }), { maxProperties: 16, additionalProperties: false }),
  },
  { additionalProperties: false },
);

/** serf agent's JSON config (hashicorp/serf cmd/serf/command/agent/config.go); secrets stay out of argv. */
function agentConfig(settings: typeof AgentSettings.static): Record<string, unknown> {
  return {
    node_name: settings.nodeName,
    bind: `${settings.bindAddress}:${settings.bindPort}`,
    rpc_addr: `127.0.0.1:${settings.rpcPort}`,
    rpc_auth: settings.rpcAuth,
    ...(settings.encryptKey ? { encrypt_key: settings.encryptKey } : {}),
    profile: settings.profile,
    // Retry the configured peers for ever; reconnect to failed members often, so a healed link converges in seconds.
    retry_join: settings.join,
    retry_interval: '10s',
    retry_max_attempts: 0,
    reconnect_interval: '5s',
    rejoin_after_leave: true,
    // Relative to the agent's working directory, its home (see `startAgent`).
    snapshot_path: 'snapshot',
    tags_file: 'tags.json',
    log_level: 'info',
  };
}

async function agentStatus(supervisor: Supervisor, context: ActionContext) {
  const [{ installed, packages }, status] = [await queryPackages(['serf'], context), await supervisor.status(SERF_DAEMON_ID)];
  return { installed, version: packages[0]?.version ?? null, state: status.state, pid: status.pid, restarts: status.restarts };
}

export function createDiscoveryActions(supervisor: Supervisor) {
  return [
    defineAction({
      name: 'discovery.agentStatus',
      description: 'Report whether the Serf agent is installed and running',
      args: Type.Object({}, { additionalProperties: false }),
      result: AgentStatus,
      run: (_args, context) => agentStatus(supervisor, context),
    }),
    defineAction({
      name: 'discovery.installAgent',
      description: "Install Debian's serf package with apt",
      args: Type.Object({}, { additionalProperties: false }),
      result: AgentStatus,
      async run(_args, context) {
        await installPackages(['serf'], context);
        // Under systemd the package starts its own agent (serf.service) on the gossip port ours needs; the .deb's
        // postinst does the same when serf comes as its dependency.
        if (existsSync('/run/systemd/system')) await context.door.run('systemctl', ['disable', '--now', 'serf.service'], { timeoutMs: 30_000 });
        return agentStatus(supervisor, context);
      },
    }),
    defineAction({
      name: 'discovery.startAgent',
      description: 'Write the Serf agent config from validated settings and run the agent; restarts it when the config changed',
      args: AgentSettings,
      result: AgentStatus,
      secretArgs: ['encryptKey', 'rpcAuth'],
      async run(settings, context) {
        const home = path.join(context.root, SERF_HOME);
        const account = await context.door.ensureSystemUser(SERF_USER, home);
        await context.door.ensureDirectory(home, { mode: 0o700, user: SERF_USER });
        const configFile = path.join(home, 'agent.json');
        const config = `${JSON.stringify(agentConfig(settings), null, 2)}\n`;
        const previous = await context.door.readFile(configFile).catch(() => null);
        const status = await supervisor.status(SERF_DAEMON_ID);
        const alive = ['running', 'starting', 'backoff'].includes(status.state);
        if (previous === config && alive) return agentStatus(supervisor, context);
        await context.door.writeFileAtomic(configFile, config, { mode: 0o600, user: SERF_USER });
        if (alive) await supervisor.stop(SERF_DAEMON_ID);
        // The child changes into its home while still root and only then becomes cloudy-serf, so with relative paths
        // the agent never walks the directories above it: a node root inside a 0700 directory still works.
        await supervisor.start({
          id: SERF_DAEMON_ID,
          argv: ['serf', 'agent', '-config-file=agent.json'],
          env: { HOME: home },
          uid: account.uid,
          gid: account.gid,
          cwd: home,
          readyWhenListening: { host: '127.0.0.1', port: settings.rpcPort },
        });
        return agentStatus(supervisor, context);
      },
    }),
    defineAction({
      name: 'discovery.stopAgent',
      description: 'Stop the Serf agent',
      args: Type.Object({}, { additionalProperties: false }),
      result: AgentStatus,
      async run(_args, context) {
        await supervisor.stop(SERF_DAEMON_ID);
        return agentStatus(supervisor, context);
      },
    }),
    defineAction({
      name: 'discovery.agentLogs',
      description: 'Return the last lines the Serf agent wrote',
      args: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 500 }) }, { additionalProperties: false }),
      result: Type.Array(Type.Object({ time: Type.String(), source: Type.String(), text: Type.String() })),
      run: async ({ limit }) => supervisor.logs(SERF_DAEMON_ID, limit),
    }),
    defineAction({
      name: 'discovery.writeAvahiServices',
      description: "Publish records through avahi-daemon: one service file each in avahi's services directory, stale ones removed",
      args: Type.Object({ services: Type.Array(AvahiAdvert, { maxItems: 256 }) }, { additionalProperties: false }),
      result: Type.Object({ written: Type.Integer(), removed: Type.Integer() }),
      async run({ services }, context) {
        const directory = path.join(context.root, AVAHI_SERVICES_DIR);
        const wanted = new Map(services.map((service) => [avahiServiceFileName(service), avahiServiceFile(service)]));
        let removed = 0;
        for (const name of await context.door.listDirectory(directory)) {
          if (!/^cloudy-.*\.service$/.test(name) || wanted.has(name)) continue;
          await context.door.removeTree(path.join(directory, name));
          removed += 1;
        }
        let written = 0;
        for (const [name, content] of wanted) {
          const file = path.join(directory, name);
          if ((await context.door.readFile(file).catch(() => null)) === content) continue;
          await context.door.writeFileAtomic(file, content, { mode: 0o644 });
          written += 1;
        }
        return { written, removed };
      },
    }),
  ];
}
