// Multi-host test lab: N network namespaces on a private bridge, PID-tracked processes, leak-free teardown.
import { execFile, execFileSync, spawn as spawnChild } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

import { cleanUpOnExit, sendSignal, settlesWithin, startTimeOf } from './process-kit.ts';

export interface LabHost { name: string; netns: string; address: string }
export interface LabProcess {
  pid: number;
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
  /** The last ~64 KB of stdout+stderr. */
  output(): string;
}
export interface RunResult { code: number | null; stdout: string; stderr: string }
export interface Lab {
  /** Random per-lab tag found in every namespace and link name, e.g. `cl3f9ah1`, `cv3f9a1`, `cb3f9a`. */
  tag: string;
  hosts: LabHost[];
  subnet: string;
  /** Run a program inside a host's namespace to completion (argv array, never a shell). */
  run(host: LabHost, argv: string[], opts?: { timeoutMs?: number; env?: NodeJS.ProcessEnv }): Promise<RunResult>;
  /** Start a long-running process inside a host's namespace; tracked by PID and killed by destroy(). */
  spawn(host: LabHost, argv: string[], opts?: { env?: NodeJS.ProcessEnv; cwd?: string; logFile?: string }): LabProcess;
  /** Wait until host can open a TCP connection to address:port (connect attempts from inside the namespace). */
  waitForTcp(host: LabHost, address: string, port: number, timeoutMs?: number): Promise<void>;
  /**
   * Cuts (or restores) the host's cable: its bridge-side veth goes down, so packets vanish silently while the
   * host's own eth0 stays up, as on a real partition (with eth0 down, sends fail at once and Serf never suspects).
   */
  setConnected(host: LabHost, connected: boolean): Promise<void>;
  destroy(): Promise<void>;
}

export class LabError extends Error { override name = 'LabError'; }

const OUTPUT_LIMIT = 64 * 1024;
const execFileAsync = promisify(execFile);
const ip = async (...args: string[]): Promise<string> => (await execFileAsync('ip', args)).stdout;
const ipQuiet = (...args: string[]): Promise<unknown> => ip(...args).catch(() => undefined);
function ipSync(...args: string[]): string {
  try { return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }); } catch { return ''; }
}

const pidsIn = (output: string): number[] => output.split(/\s+/).filter(Boolean).map(Number);

/** Random 10.a.b.0/24 in a range home and cloud networks rarely use, not overlapping any local address. */
async function pickSubnetPrefix(): Promise<string> {
  const toInt = (dotted: string) => dotted.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
  const local = [...(await ip('-o', '-4', 'addr')).matchAll(/inet ([\d.]+)\/(\d+)/g)]
    .map((m) => ({ net: toInt(m[1]!), bits: Number(m[2]) }));
  for (let attempt = 0; attempt < 100; attempt++) {
    const prefix = `10.${randomInt(160, 224)}.${randomInt(0, 256)}`;
    const net = toInt(`${prefix}.0`);
    const overlaps = local.some(({ net: other, bits }) => {
      const mask = Math.min(bits, 24) === 0 ? 0 : ~0 << (32 - Math.min(bits, 24));
      return (other & mask) === (net & mask);
    });
    if (!overlaps) return prefix;
  }
  throw new LabError('no free 10.x.y.0/24 subnet found for the lab');
}

async function pickTag(namePrefix: string): Promise<string> {
  const [namespaces, links] = await Promise.all([ip('netns', 'list'), ip('-o', 'link')]);
  for (;;) {
    const tag = randomBytes(2).toString('hex');
    const taken = namespaces.includes(`${namePrefix}${tag}h`) || links.includes(`cv${tag}`) || links.includes(`cb${tag}`);
    if (!taken) return tag;
  }
}

class TrackedProcess implements LabProcess {
  readonly pid: number;
  readonly exited: Promise<number | null>;
  private readonly startTime: string | undefined;
  private hasExited = false;
  private tail = '';

  constructor(argv: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; logFile?: string }) {
    // detached: the child leads its own process group, so stop() can kill what it forked too,
    // and a Ctrl-C to the test's terminal does not reach it before our cleanup runs.
    const child = spawnChild(argv[0]!, argv.slice(1), {
      env: opts.env ?? process.env, cwd: opts.cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (child.pid === undefined) throw new LabError(`could not start ${argv.join(' ')}`);
    this.pid = child.pid;
    this.startTime = startTimeOf(this.pid);
    const log = opts.logFile ? createWriteStream(opts.logFile, { flags: 'a' }) : undefined;
    const append = (chunk: string) => {
      log?.write(chunk);
      this.tail += chunk;
      if (this.tail.length > 2 * OUTPUT_LIMIT) this.tail = this.tail.slice(-OUTPUT_LIMIT);
    };
    child.stdout!.setEncoding('utf8').on('data', append);
    child.stderr!.setEncoding('utf8').on('data', append);
    this.exited = new Promise((resolve) => {
      child.once('error', (error) => { append(`${error.message}\n`); this.hasExited = true; resolve(null); });
      child.once('exit', (code) => { this.hasExited = true; log?.end(); resolve(code); });
    });
  }

  output(): string { return this.tail.slice(-OUTPUT_LIMIT); }

  /** Alive and still ours: the start time check guards against the PID having been reused. */
  isRunning(): boolean { return !this.hasExited && startTimeOf(this.pid) === this.startTime; }

  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 5000): Promise<void> {
    if (this.isRunning()) sendSignal(this.pid, signal);
    if (await settlesWithin(this.exited, graceMs)) return;
    this.killSync();
    await this.exited;
  }

  killSync(): void {
    if (!this.isRunning()) return;
    sendSignal(-this.pid, 'SIGKILL');
    sendSignal(this.pid, 'SIGKILL');
  }
}

// Probe run inside the namespace by one node process that retries until its deadline, so a wait
// costs one process start, not one per attempt. Address and port arrive as argv, never as code.
const TCP_PROBE = `
const net = require('node:net');
const [host, port, waitMs] = process.argv.slice(1);
const deadline = Date.now() + Number(waitMs);
function attempt() {
  const socket = net.connect({ host, port: Number(port), timeout: 1000 });
  let settled = false;
  socket.once('connect', () => { socket.destroy(); process.exit(0); });
  const retry = () => {
    if (settled) return;
    settled = true;
    socket.destroy();
    if (Date.now() >= deadline) process.exit(1);
    setTimeout(attempt, 50);
  };
  socket.once('error', retry);
  socket.once('timeout', retry);
}
attempt();
`;

const liveLabs = new Set<NetnsLab>();

class NetnsLab implements Lab {
  private readonly processes = new Set<TrackedProcess>();
  private teardown: Promise<void> | undefined;

  constructor(readonly tag: string, readonly hosts: LabHost[], readonly subnet: string) {}

  private get bridge(): string { return `cb${this.tag}`; }
  private vethOf(host: LabHost): string { return `cv${this.tag}${this.hosts.indexOf(host) + 1}`; }

  async build(): Promise<void> {
    await ip('link', 'add', this.bridge, 'type', 'bridge', 'stp_state', '0', 'forward_delay', '0');
    await ip('link', 'set', this.bridge, 'up');
    await Promise.all(this.hosts.map((host) => this.buildHost(host)));
  }

  private async buildHost(host: LabHost): Promise<void> {
    const { netns, address } = host;
    await ip('netns', 'add', netns);
    await ip('link', 'add', this.vethOf(host), 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netns);
    await ip('link', 'set', this.vethOf(host), 'master', this.bridge, 'up');
    // No IPv6 duplicate address detection: otherwise link-local stays "tentative" for 1-2 s and early
    // multicast sends (serf -discover, mDNS) fail with EADDRNOTAVAIL (lab report §3, §4).
    // Set before eth0 goes up; tolerated when the kernel has no IPv6.
    await ipQuiet('netns', 'exec', netns, 'sysctl', '-qw', 'net.ipv6.conf.eth0.accept_dad=0');
    await ip('-n', netns, 'addr', 'add', `${address}/24`, 'dev', 'eth0');
    await ip('-n', netns, 'link', 'set', 'eth0', 'up');
    await ip('-n', netns, 'link', 'set', 'lo', 'up');
    // There is no default route in a lab host; mDNS needs a route for 224.0.0.0/4 to send multicast.
    await ip('-n', netns, 'route', 'add', '224.0.0.0/4', 'dev', 'eth0');
  }

  private ensureHost(host: LabHost): void {
    if (!this.hosts.includes(host)) throw new LabError(`host ${host.name} (${host.netns}) is not part of lab ${this.tag}`);
    if (this.teardown) throw new LabError(`lab ${this.tag} is destroyed`);
  }

  run(host: LabHost, argv: string[], opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
    this.ensureHost(host);
    return new Promise((resolve, reject) => {
      // `ip netns exec` execs the program itself (no fork), so the child's PID is the program's.
      const child = spawnChild('ip', ['netns', 'exec', host.netns, ...argv], {
        env: opts.env ?? process.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
      const timer = setTimeout(() => { if (child.pid) sendSignal(-child.pid, 'SIGKILL'); }, opts.timeoutMs ?? 30_000);
      child.once('error', (error) => { clearTimeout(timer); reject(error); });
      child.once('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
    });
  }

  spawn(host: LabHost, argv: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; logFile?: string } = {}): LabProcess {
    this.ensureHost(host);
    const tracked = new TrackedProcess(['ip', 'netns', 'exec', host.netns, ...argv], opts);
    this.processes.add(tracked);
    return tracked;
  }

  async waitForTcp(host: LabHost, address: string, port: number, timeoutMs = 10_000): Promise<void> {
    const probe = await this.run(host, [process.execPath, '-e', TCP_PROBE, address, String(port), String(timeoutMs)],
      { timeoutMs: timeoutMs + 5000 });
    if (probe.code !== 0) {
      throw new LabError(`${host.name} could not connect to ${address}:${port} within ${timeoutMs} ms ${probe.stderr}`.trim());
    }
  }

  async setConnected(host: LabHost, connected: boolean): Promise<void> {
    this.ensureHost(host);
    await ip('link', 'set', this.vethOf(host), connected ? 'up' : 'down');
  }

  destroy(): Promise<void> {
    this.teardown ??= this.destroyAll();
    return this.teardown;
  }

  private async destroyAll(): Promise<void> {
    await Promise.all([...this.processes].map((tracked) => tracked.stop()));
    await Promise.all(this.hosts.map(async (host) => {
      await this.killEverythingIn(host.netns);
      // The host-side veth goes first: `ip netns del` removes its end asynchronously, and a new lab
      // created right after could race with it (lab report §1).
      await ipQuiet('link', 'del', this.vethOf(host));
      await ipQuiet('netns', 'del', host.netns);
    }));
    await ipQuiet('link', 'del', this.bridge);
    liveLabs.delete(this);
  }

  /** Only our processes live in our namespaces, so anything still inside is a leftover of ours. */
  private async killEverythingIn(netns: string): Promise<void> {
    const list = async () => pidsIn(await ip('netns', 'pids', netns).catch(() => ''));
    for (const pid of await list()) sendSignal(pid, 'SIGTERM');
    for (const [signal, ms] of [['SIGKILL', 3000], [undefined, 2000]] as const) {
      const deadline = Date.now() + ms;
      while ((await list()).length > 0 && Date.now() < deadline) await sleep(50);
      // Listed again right before KILL, so a PID that exited meanwhile is not signalled.
      if (signal) for (const pid of await list()) sendSignal(pid, signal);
    }
  }

  /** Best effort from an 'exit' or signal handler, where nothing asynchronous runs any more. */
  destroySync(): void {
    for (const tracked of this.processes) tracked.killSync();
    for (const host of this.hosts) {
      for (const pid of pidsIn(ipSync('netns', 'pids', host.netns))) sendSignal(pid, 'SIGKILL');
      ipSync('link', 'del', this.vethOf(host));
      ipSync('netns', 'del', host.netns);
    }
    ipSync('link', 'del', this.bridge);
    liveLabs.delete(this);
  }
}

let exitCleanupRegistered = false;
function registerExitCleanup(): void {
  if (exitCleanupRegistered) return;
  exitCleanupRegistered = true;
  cleanUpOnExit(() => { for (const lab of liveLabs) lab.destroySync(); });
}

/**
 * @param opts.reachableFromHost give the bridge an address (`<subnet>.254`) in the machine's own namespace, so the
 *   test process itself (a browser, an HTTPS client) can talk to the lab hosts; traffic still never leaves the machine.
 */
export async function createLab(hostCount: number, opts: { namePrefix?: string; reachableFromHost?: boolean } = {}): Promise<Lab> {
  if (!Number.isInteger(hostCount) || hostCount < 1 || hostCount > 99) {
    throw new LabError(`hostCount must be an integer from 1 to 99, got ${hostCount}`);
  }
  const namePrefix = opts.namePrefix ?? 'cl';
  if (!/^[a-z][a-z0-9]{0,7}$/.test(namePrefix)) throw new LabError(`namePrefix must be 1-8 lowercase letters or digits, got "${namePrefix}"`);
  registerExitCleanup();
  const [tag, prefix] = await Promise.all([pickTag(namePrefix), pickSubnetPrefix()]);
  const hosts = Array.from({ length: hostCount }, (_, i) => ({
    name: `h${i + 1}`, netns: `${namePrefix}${tag}h${i + 1}`, address: `${prefix}.${i + 1}`,
  }));
  const lab = new NetnsLab(tag, hosts, `${prefix}.0/24`);
  liveLabs.add(lab);
  try {
    await lab.build();
    if (opts.reachableFromHost) await ip('addr', 'add', `${prefix}.254/24`, 'dev', `cb${tag}`);
  } catch (error) {
    await lab.destroy();
    throw error;
  }
  return lab;
}
