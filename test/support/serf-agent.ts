// Starts a real `serf agent` for tests, on loopback or inside a netns lab host; tracked by PID, ready once its RPC port answers.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { freePort } from './cloudy-node.ts';
import type { LabProcess } from './netns-lab.ts';

export interface SerfAgentOptions {
  name: string;
  /** 'ADDR:PORT' for gossip (TCP and UDP). */
  bind: string;
  rpcPort: number;
  /** Where the RPC port listens; 127.0.0.1 unless given. */
  rpcAddress?: string;
  authKey?: string;
  tags?: Record<string, string>;
  /** 'ADDR:PORT' of agents to join; retried every second, so their start order does not matter. */
  join?: string[];
  /** More keys of serf's JSON configuration, e.g. `{ profile: 'local' }`. */
  extraConfig?: Record<string, unknown>;
  /** Starts the agent elsewhere, e.g. `(argv) => lab.spawn(host, argv)`; a local child process otherwise. */
  spawnIn?: (argv: string[]) => LabProcess;
  /** Waits until the RPC port accepts connections, from where the agent runs, e.g. `(a, p, ms) => lab.waitForTcp(host, a, p, ms)`. */
  waitForTcp?: (address: string, port: number, timeoutMs: number) => Promise<void>;
  startTimeoutMs?: number;
}

export interface SerfAgent {
  name: string;
  rpcPort: number;
  bindPort: number;
  pid: number;
  configFile: string;
  output(): string;
  /** Stops the agent (SIGTERM by default, SIGKILL after a grace period) and removes its config dir. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export class SerfAgentError extends Error { override name = 'SerfAgentError'; }

const OUTPUT_LIMIT = 64 * 1024;
const running = new Set<LabProcess>();
let exitHookInstalled = false;

function signal(pid: number, name: NodeJS.Signals): void {
  try { process.kill(pid, name); } catch { /* already gone */ }
}

/** A serf child of this process; killed with its process group, also from an 'exit' hook if a test forgets it. */
function spawnLocal(argv: string[]): LabProcess {
  const child = spawn(argv[0]!, argv.slice(1), { detached: true, stdio: ['ignore', 'pipe', 'pipe'], shell: false });
  if (child.pid === undefined) throw new SerfAgentError(`could not start ${argv.join(' ')}`);
  const pid = child.pid;
  let tail = '';
  let hasExited = false;
  const append = (chunk: string) => { tail = (tail + chunk).slice(-OUTPUT_LIMIT); };
  child.stdout!.setEncoding('utf8').on('data', append);
  child.stderr!.setEncoding('utf8').on('data', append);
  const exited = new Promise<number | null>((resolve) => {
    child.once('error', (error) => { append(`${error.message}\n`); hasExited = true; resolve(null); });
    child.once('exit', (code) => { hasExited = true; resolve(code); });
  });
  const tracked: LabProcess = {
    pid,
    exited,
    output: () => tail,
    async stop(name: NodeJS.Signals = 'SIGTERM', graceMs = 5000) {
      if (!hasExited) signal(pid, name);
      const timer = new AbortController();
      const done = await Promise.race([exited.then(() => true), sleep(graceMs, false, { signal: timer.signal })]).finally(() => timer.abort());
      if (!done && !hasExited) signal(-pid, 'SIGKILL');
      await exited;
    },
  };
  running.add(tracked);
  void exited.then(() => running.delete(tracked));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => { for (const agent of running) signal(-agent.pid, 'SIGKILL'); });
  }
  return tracked;
}

async function waitForLocalTcp(address: string, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const connected = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: address, port });
      socket.once('connect', () => { socket.destroy(); resolve(true); });
      socket.once('error', () => { socket.destroy(); resolve(false); });
    });
    if (connected) return;
    if (Date.now() >= deadline) throw new SerfAgentError(`nothing accepted connections on ${address}:${port} within ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** A loopback port free for both TCP and UDP (serf gossips over both on its bind port), outside the ephemeral range. */
export async function freeSerfPort(address = '127.0.0.1'): Promise<number> {
  return freePort({ address, udp: true });
}

export async function startSerfAgent(options: SerfAgentOptions): Promise<SerfAgent> {
  const rpcAddress = options.rpcAddress ?? '127.0.0.1';
  const bindPort = Number(options.bind.slice(options.bind.lastIndexOf(':') + 1));
  const configDir = mkdtempSync(path.join(os.tmpdir(), `serf-${options.name}-`));
  const configFile = path.join(configDir, 'agent.json');
  const config = {
    node_name: options.name,
    bind: options.bind,
    rpc_addr: `${rpcAddress}:${options.rpcPort}`,
    ...(options.authKey !== undefined && { rpc_auth: options.authKey }),
    ...(options.tags && { tags: options.tags }),
    ...(options.join && { retry_join: options.join, retry_interval: '1s' }),
    ...options.extraConfig,
  };
  writeFileSync(configFile, JSON.stringify(config, null, 2), { mode: 0o600 });
  const argv = ['serf', 'agent', `-config-file=${configFile}`];
  let agent: LabProcess;
  try {
    agent = options.spawnIn ? options.spawnIn(argv) : spawnLocal(argv);
  } catch (error) {
    rmSync(configDir, { recursive: true, force: true });
    throw error;
  }
  const stop = async (name?: NodeJS.Signals) => {
    await agent.stop(name);
    rmSync(configDir, { recursive: true, force: true });
  };
  const timeoutMs = options.startTimeoutMs ?? 10_000;
  const waitForTcp = options.waitForTcp ?? waitForLocalTcp;
  const exitedEarly = agent.exited.then((code) => {
    throw new SerfAgentError(`serf agent ${options.name} exited with code ${code} before its RPC port opened:\n${agent.output()}`);
  });
  try {
    await Promise.race([waitForTcp(rpcAddress, options.rpcPort, timeoutMs), exitedEarly]);
  } catch (error) {
    await stop('SIGKILL');
    throw error;
  } finally {
    exitedEarly.catch(() => undefined);
  }
  return { name: options.name, rpcPort: options.rpcPort, bindPort, pid: agent.pid, configFile, output: () => agent.output(), stop };
}
