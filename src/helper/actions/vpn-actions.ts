// Root actions of the overlay network: install tinc, make a network's key pair, write its files from a checked
// member list, run tincd under the supervisor, reload it with SIGHUP, and ping peers over the overlay.
import path from 'node:path';

import { Type } from '@sinclair/typebox';

import { defineAction, type ActionContext } from '../../kit/privileged-action.ts';
import { IPV4_PATTERN, NetworkName, NetworkState, RSA_PUBLIC_KEY_PATTERN, TincPort } from '../../shared/vpn-contract.ts';
import { HelperRejection } from '../action-registry.ts';
import type { Supervisor } from '../supervisor.ts';
import { installPackages, queryPackages } from './package-actions.ts';
import { checkNetworkState, renderTincFiles } from './tinc-files.ts';

export const TINC_DIR = '/etc/tinc';
const PACKAGES = ['tinc', 'iputils-ping'];
const daemonId = (network: string) => `vpn.${network}`;
const NetworkArgs = Type.Object({ network: NetworkName }, { additionalProperties: false });
const TincdStatus = Type.Object({ state: Type.String(), pid: Type.Union([Type.Integer(), Type.Null()]), restarts: Type.Integer() });

function networkDir(context: ActionContext, network: string): string {
  return path.join(context.root, TINC_DIR, network);
}

/** The public half of the network's key, derived from the private key: a half-written key pair cannot survive. */
async function publicKeyOf(context: ActionContext, privateKeyFile: string): Promise<string | null> {
  const result = await context.door.run('openssl', ['rsa', '-in', privateKeyFile, '-RSAPublicKey_out'], { timeoutMs: 10_000 });
  const key = result.stdout.trim();
  return result.code === 0 && new RegExp(RSA_PUBLIC_KEY_PATTERN).test(`${key}\n`) ? `${key}\n` : null;
}

async function tincdStatus(supervisor: Supervisor, network: string) {
  const status = await supervisor.status(daemonId(network));
  return { state: status.state, pid: status.pid, restarts: status.restarts };
}

export function createVpnActions(supervisor: Supervisor) {
  return [
    defineAction({
      name: 'vpn.install',
      description: "Install Debian's tinc (1.0) and ping, unless they are there",
      args: Type.Object({}, { additionalProperties: false }),
      result: Type.Object({ installed: Type.Boolean(), version: Type.Union([Type.String(), Type.Null()]) }),
      async run(_args, context) {
        if (!(await queryPackages(PACKAGES, context)).installed) await installPackages(PACKAGES, context);
        const { installed, packages } = await queryPackages(PACKAGES, context);
        return { installed, version: packages[0]?.version ?? null };
      },
    }),
    defineAction({
      name: 'vpn.ensureKey',
      description: "Generate the network's RSA key pair once (tincd -K, no prompts) and return its public key",
      args: NetworkArgs,
      result: Type.Object({ publicKey: Type.String(), generated: Type.Boolean() }),
      async run({ network }, context) {
        const dir = networkDir(context, network);
        await context.door.ensureDirectory(path.join(context.root, TINC_DIR), { mode: 0o755 });
        await context.door.ensureDirectory(dir, { mode: 0o700 });
        const privateKeyFile = path.join(dir, 'rsa_key.priv');
        const existing = await publicKeyOf(context, privateKeyFile);
        if (existing) return { publicKey: existing, generated: false };
        // Generated aside and renamed into place: a kill during generation leaves no half key behind.
        const scratch = path.join(dir, '.keygen');
        await context.door.removeTree(scratch);
        await context.door.ensureDirectory(scratch, { mode: 0o700 });
        const generated = await context.door.run('tincd', ['-c', scratch, '-K', '2048'], { timeoutMs: 60_000, input: '' });
        const fresh = await publicKeyOf(context, path.join(scratch, 'rsa_key.priv'));
        if (generated.code !== 0 || !fresh) throw new HelperRejection('failed', `tincd -K failed: ${generated.stderr.trim().split('\n').pop()}`);
        await context.door.writeFileAtomic(privateKeyFile, await context.door.readFile(path.join(scratch, 'rsa_key.priv')), { mode: 0o600 });
        await context.door.removeTree(scratch);
        return { publicKey: fresh, generated: true };
      },
    }),
    defineAction({
      name: 'vpn.writeConfig',
      description: "Write tinc.conf, hosts/*, tinc-up and tinc-down of a network from the server's checked member list",
      args: Type.Object({ network: NetworkName, port: TincPort, endpointHost: Type.Optional(Type.String({ pattern: IPV4_PATTERN })), state: NetworkState }, { additionalProperties: false }),
      result: Type.Object({ changed: Type.Boolean(), hosts: Type.Integer() }),
      async run({ network, port, endpointHost, state }, context) {
        try {
          checkNetworkState(state);
        } catch (error) {
          throw new HelperRejection('invalid_arguments', (error as Error).message);
        }
        if (state.network.name !== network) throw new HelperRejection('invalid_arguments', `member list is for ${state.network.name}, not ${network}`);
        const dir = networkDir(context, network);
        const publicKey = await publicKeyOf(context, path.join(dir, 'rsa_key.priv'));
        if (!publicKey) throw new HelperRejection('failed', `network ${network} has no key pair yet`);
        const files = renderTincFiles(state, { port, publicKey, ...(endpointHost ? { endpointHost } : {}) });
        const hostsDir = path.join(dir, 'hosts');
        await context.door.ensureDirectory(hostsDir, { mode: 0o755 });
        let changed = false;
        const write = async (file: string, content: string, mode: number) => {
          if ((await context.door.readFile(file).catch(() => null)) === content) return;
          await context.door.writeFileAtomic(file, content, { mode });
          changed = true;
        };
        // Each file is replaced whole (rename); tinc.conf last, so a config that names a peer finds its host file.
        for (const [name, content] of Object.entries(files.hosts)) await write(path.join(hostsDir, name), content, 0o644);
        for (const name of await context.door.listDirectory(hostsDir)) {
          if (name in files.hosts) continue;
          await context.door.removeTree(path.join(hostsDir, name));
          changed = true;
        }
        await write(path.join(dir, 'tinc-up'), files['tinc-up'], 0o755);
        await write(path.join(dir, 'tinc-down'), files['tinc-down'], 0o755);
        await write(path.join(dir, 'tinc.conf'), files['tinc.conf'], 0o644);
        return { changed, hosts: Object.keys(files.hosts).length };
      },
    }),
    defineAction({
      name: 'vpn.start',
      description: "Run the network's tincd in the foreground under the supervisor",
      args: NetworkArgs,
      result: TincdStatus,
      async run({ network }, context) {
        const dir = networkDir(context, network);
        await context.door.readFile(path.join(dir, 'tinc.conf'));
        // -c instead of -n: the network lives under the node's root dir; the PID file too, so nodes sharing a machine do not collide.
        await supervisor.start({
          id: daemonId(network),
          argv: ['tincd', '-c', dir, '-D', '-d1', `--pidfile=${path.join(context.root, 'run/cloudy', `tinc.${network}.pid`)}`],
          env: {},
          uid: 0,
          gid: 0,
        });
        return tincdStatus(supervisor, network);
      },
    }),
    defineAction({
      name: 'vpn.reload',
      description: 'Send SIGHUP to tincd: it rereads its files, connects to new peers and drops removed ones, without a restart',
      args: NetworkArgs,
      result: Type.Object({ reloaded: Type.Boolean() }),
      run: async ({ network }) => ({ reloaded: await supervisor.signal(daemonId(network), 'SIGHUP') }),
    }),
    defineAction({
      name: 'vpn.stop',
      description: "Stop the network's tincd",
      args: NetworkArgs,
      result: TincdStatus,
      async run({ network }) {
        await supervisor.stop(daemonId(network));
        return tincdStatus(supervisor, network);
      },
    }),
    defineAction({
      name: 'vpn.remove',
      description: "Stop the network's tincd and delete its files and key",
      args: NetworkArgs,
      result: Type.Null(),
      async run({ network }, context) {
        await supervisor.stop(daemonId(network));
        await context.door.removeTree(networkDir(context, network));
        return null;
      },
    }),
    defineAction({
      name: 'vpn.status',
      description: "Report the network's tincd state",
      args: NetworkArgs,
      result: TincdStatus,
      run: async ({ network }) => tincdStatus(supervisor, network),
    }),
    defineAction({
      name: 'vpn.logs',
      description: 'Return the last lines tincd wrote',
      args: Type.Object({ network: NetworkName, limit: Type.Integer({ minimum: 1, maximum: 500 }) }, { additionalProperties: false }),
      result: Type.Array(Type.Object({ time: Type.String(), source: Type.String(), text: Type.String() })),
      run: async ({ network, limit }) => supervisor.logs(daemonId(network), limit),
    }),
    defineAction({
      name: 'vpn.ping',
      description: 'Ping overlay addresses once each (ICMP needs root), in parallel',
      args: Type.Object({ addresses: Type.Array(Type.String({ pattern: IPV4_PATTERN }), { maxItems: 256 }), timeoutSeconds: Type.Integer({ minimum: 1, maximum: 5 }) }, { additionalProperties: false }),
      result: Type.Array(Type.Object({ address: Type.String(), reachable: Type.Boolean() })),
      async run({ addresses, timeoutSeconds }, context) {
        return Promise.all(
          addresses.map(async (address) => {
            const result = await context.door.run('ping', ['-n', '-q', '-c', '1', '-W', String(timeoutSeconds), address], { timeoutMs: (timeoutSeconds + 2) * 1000 });
            return { address, reachable: result.code === 0 };
          }),
        );
      },
    }),
  ];
}
