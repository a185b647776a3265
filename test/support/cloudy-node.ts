// Starts a real Cloudy node (bin/cloudy's keeper loop, the helper and cloudyd) in a temp root dir for a test, and stops it by PID.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, chmodSync, readFileSync, rmSync, existsSync } from 'node:fs';
import dgram from 'node:dgram';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';

import { PanelSession } from './panel-session.ts';

export const repoDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * `cloudy start ARGS` the way an owner runs it: bin/cloudy, whose keeper loop runs the helper, which runs cloudyd.
 * From the TypeScript sources through tsx, or from the production build (dist/node, as `npm start` does) if `built`.
 */
export function cloudyStartArgv(args: string[], options: { built?: boolean; checkout?: string } = {}): string[] {
  return ['env', `CLOUDY_FROM_SOURCE=${options.built ? '' : '1'}`, path.join(options.checkout ?? repoDir, 'bin/cloudy'), 'start', ...args];
}

export type { NodeState } from '../../src/helper/cloudyd-keeper.ts';
import type { NodeState } from '../../src/helper/cloudyd-keeper.ts';

export interface StartedNode {
  root: string;
  baseUrl: string;
  httpUrl: string;
  process: ChildProcess;
  output(): string;
  state(): NodeState;
  setupCode(): string;
  waitHealthy(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A port free now on `address` (TCP, and UDP too when asked), picked below the kernel's ephemeral range
 * (ip_local_port_range starts at 32768): a port the kernel handed out could become the local port of some outgoing
 * connection before the daemon meant to listen on it starts, and stay taken as long as that connection lives.
 */
export async function freePort(options: { address?: string; udp?: boolean } = {}): Promise<number> {
  const address = options.address ?? '127.0.0.1';
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if ((await canBind(net.createServer(), port, address)) && (!options.udp || (await canBind(dgram.createSocket('udp4'), port, address)))) return port;
  }
  throw new Error(`no free port found on ${address}`);
}

async function canBind(socket: net.Server | dgram.Socket, port: number, address: string): Promise<boolean> {
  const bound = await new Promise<boolean>((resolve) => {
    socket.once('error', () => resolve(false));
    if (socket instanceof net.Server) socket.listen(port, address, () => resolve(true));
    else socket.bind(port, address, () => resolve(true));
  });
  if (bound) await new Promise((resolve) => (socket instanceof net.Server ? socket.close(resolve) : socket.close(() => resolve(undefined))));
  return bound;
}

export function makeRootDir(): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'cloudy-test-'));
  chmodSync(root, 0o755);
  return root;
}

export async function getJson(url: string): Promise<{ status: number; body: unknown }> {
  const { request } = await import('node:https');
  return new Promise((resolve, reject) => {
    const req = request(url, { rejectUnauthorized: false }, (response) => {
      let text = '';
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text ? JSON.parse(text) : null }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** @param checkout the Cloudy checkout to run (default: this one). */
/** @param communityAddress where discovery binds (default: the listen address). */
/** @param built run the production build (dist/node, as `npm start` does) instead of the sources through tsx. */
export async function startCloudyNode(options: { root?: string; listen?: string; checkout?: string; communityAddress?: string; built?: boolean } = {}): Promise<StartedNode> {
  const root = options.root ?? makeRootDir();
  const listen = options.listen ?? '127.0.0.1';
  const [httpPort, httpsPort, serfPort, serfRpcPort] = [await freePort(), await freePort(), await freePort({ udp: true }), await freePort()];
  // Discovery stays on loopback too: no gossip or multicast leaves the machine from a test outside a lab namespace.
  const discovery = ['--community-address', options.communityAddress ?? listen, '--serf-port', String(serfPort), '--serf-rpc-port', String(serfRpcPort)];
  const [command, ...args] = cloudyStartArgv(['--root', root, '--listen', listen, '--http-port', String(httpPort), '--https-port', String(httpsPort), ...discovery], options);
  const child = spawn(command!, args, { cwd: options.checkout ?? repoDir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk) => (output = (output + chunk).slice(-64_000)));
  child.stderr!.on('data', (chunk) => (output = (output + chunk).slice(-64_000)));
  const baseUrl = `https://${listen}:${httpsPort}`;
  const node: StartedNode = {
    root,
    baseUrl,
    httpUrl: `http://${listen}:${httpPort}`,
    process: child,
    output: () => output,
    state: () => JSON.parse(readFileSync(path.join(root, 'run/cloudy/node.json'), 'utf8')) as NodeState,
    setupCode: () => readFileSync(path.join(root, 'etc/cloudy/setup-code'), 'utf8').trim(),
    async waitHealthy(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const healthy = await getJson(`${baseUrl}/api/health`).then((reply) => reply.status === 200, () => false);
        if (healthy) return;
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`node did not become healthy:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
        await exited;
        clearTimeout(timer);
      }
      if (existsSync(root)) rmSync(root, { recursive: true, force: true });
    },
  };
  await node.waitHealthy();
  return node;
}

/** A node whose administrator exists, with that administrator's session, for tests past the first run. */
export async function startNodeWithAdmin(options: Parameters<typeof startCloudyNode>[0] = {}): Promise<{ node: StartedNode; session: PanelSession }> {
  const node = await startCloudyNode(options);
  const session = new PanelSession(node.baseUrl);
  const reply = await session.setup(node.setupCode());
  if (reply.status !== 200) throw new Error(`setup failed: ${JSON.stringify(reply.body)}`);
  return { node, session };
}

/** For one test file: a node with its administrator, started before the file's tests and stopped after them. */
export function nodeWithAdminForFile(): { node: StartedNode; session: PanelSession } {
  const given = {} as { node: StartedNode; session: PanelSession };
  before(async () => Object.assign(given, await startNodeWithAdmin()));
  after(async () => {
    await given.node?.stop();
  });
  return given;
}
