// `cloudy start`: runs cloudy-helper (root) and cloudyd (drops to user cloudy), restarting either if it dies.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { nodeLayout } from '../shared/node-layout.ts';

export interface LaunchOptions {
  root: string;
  listen: string;
  httpPort: number;
  httpsPort: number;
  /** Discovery defaults for a node without saved discovery settings (and the agent's RPC port). */
  discovery: { communityAddress?: string; serfPort?: number; serfRpcPort?: number };
}

const STOP_GRACE_MS = 15_000;
/**
 * Source maps for readable stack traces; a 1 MB young generation (V8's default grows to 16 MB per semi-space) keeps an
 * idle node ≈ 30 MB smaller at the cost of more frequent, short scavenges (docs/decisions.md AB).
 */
const NODE_FLAGS = process.env.CLOUDY_NODE_FLAGS ? process.env.CLOUDY_NODE_FLAGS.split(' ').filter(Boolean) : ['--enable-source-maps', '--max-semi-space-size=1'];

/**
 * The helper and cloudyd the way this launcher itself runs: from the production build (dist/node/*.js, plain
 * JavaScript with source maps) or, in a checkout run from source (the tests), from TypeScript through tsx.
 */
function programs(): { helper: string[]; cloudyd: string[] } {
  const here = path.dirname(fileURLToPath(import.meta.url));
  if (import.meta.url.endsWith('.js')) {
    return { helper: [...NODE_FLAGS, path.join(here, 'cloudy-helper.js')], cloudyd: [...NODE_FLAGS, path.join(here, 'cloudyd.js')] };
  }
  const tsx = import.meta.resolve('tsx');
  const srcDir = path.resolve(here, '..');
  return { helper: ['--import', tsx, path.join(srcDir, 'helper/main.ts')], cloudyd: ['--import', tsx, path.join(srcDir, 'daemon/main.ts')] };
}

class ChildKeeper {
  child?: ChildProcess;
  private stopping = false;
  private failures = 0;

  constructor(
    private readonly name: string,
    private readonly argv: string[],
    private readonly onStart: () => void,
  ) {}

  start(): void {
    const startedAt = Date.now();
    const child = spawn(process.execPath, this.argv, { stdio: ['ignore', 'inherit', 'inherit'] });
    this.child = child;
    child.once('spawn', this.onStart);
    child.once('exit', (code, signal) => {
      if (this.stopping) return;
      this.failures = Date.now() - startedAt > 30_000 ? 1 : this.failures + 1;
      const delay = Math.min(30_000, 250 * 2 ** this.failures);
      console.error(`cloudy: ${this.name} exited (${signal ?? `code ${code}`}); restarting in ${delay} ms`);
      setTimeout(() => !this.stopping && this.start(), delay);
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  }
}

/** The PID of a live launcher recorded in the state file, if any (a stale file from a crash is ignored). */
function runningLauncher(stateFile: string): number | null {
  try {
    const { pid } = JSON.parse(readFileSync(stateFile, 'utf8')) as { pid: number };
    if (pid === process.pid) return null;
    process.kill(pid, 0);
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('cloudy') ? pid : null;
  } catch {
    return null;
  }
}

async function waitForFile(file: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`${file} did not appear within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function launchNode(options: LaunchOptions): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('cloudy start must run as root: it starts the privileged helper and then drops to user cloudy.');
  const layout = nodeLayout(options.root);
  mkdirSync(layout.runDir, { recursive: true, mode: 0o755 });
  const stateFile = path.join(layout.runDir, 'node.json');
  const previous = runningLauncher(stateFile);
  if (previous) throw new Error(`a Cloudy node already runs under ${options.root} (pid ${previous}); stop it first.`);
  const writeState = () =>
    writeFileSync(
      stateFile,
      JSON.stringify({ pid: process.pid, helperPid: helper.child?.pid ?? null, cloudydPid: cloudyd.child?.pid ?? null, listen: options.listen, httpPort: options.httpPort, httpsPort: options.httpsPort }),
    );
  const program = programs();
  const helper = new ChildKeeper('cloudy-helper', [...program.helper, '--root', options.root], writeState);
  const cloudyd = new ChildKeeper(
    'cloudyd',
    [
      ...program.cloudyd,
      ...['--root', options.root, '--listen', options.listen, '--http-port', String(options.httpPort), '--https-port', String(options.httpsPort)],
      ...(options.discovery.communityAddress ? ['--community-address', options.discovery.communityAddress] : []),
      ...(options.discovery.serfPort ? ['--serf-port', String(options.discovery.serfPort)] : []),
      ...(options.discovery.serfRpcPort ? ['--serf-rpc-port', String(options.discovery.serfRpcPort)] : []),
    ],
    writeState,
  );
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`cloudy: ${signal}: stopping cloudyd, then the helper and its daemons`);
    await cloudyd.stop();
    await helper.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  helper.start();
  await waitForFile(layout.helperSocket, 30_000);
  cloudyd.start();
}
