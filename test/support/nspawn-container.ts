// Boots a Debian rootfs with systemd-nspawn inside a lab network namespace, runs commands in it with nsenter, powers
// it off; every container is tracked by PID and killed at the latest when the test process exits.
import { execFile, spawn as spawnChild } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

import type { RunResult } from './netns-lab.ts';
import { cleanUpOnExit, sendSignal, settlesWithin, startTimeOf } from './process-kit.ts';

export class ContainerError extends Error { override name = 'ContainerError'; }

/** What commands run inside with: nothing of the test process's own environment leaks in. */
const INSIDE_ENV = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8', HOME: '/root' };
const CONSOLE_LIMIT = 64 * 1024;

/** Runs a host program to completion (argv, no shell); never rejects for a non-zero exit. */
export function runProgram(argv: string[], opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(argv[0]!, argv.slice(1), { env: opts.env ?? process.env, timeout: opts.timeoutMs ?? 60_000, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        // A string code means the program could not run at all (ENOENT…); a timeout leaves code null.
        if (typeof error?.code === 'string') reject(error);
        else resolve({ code: error ? (error.code ?? null) : 0, stdout, stderr });
      });
    child.stdin?.end();
  });
}

/** Extracts a rootfs tarball as it was made: numeric owners (the host's user names map to other IDs), modes, links. */
export async function extractRootfs(tarball: string, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const result = await runProgram(['tar', '--zstd', '--numeric-owner', '-xpf', tarball, '-C', dir], { timeoutMs: 120_000 });
  if (result.code !== 0) throw new ContainerError(`extracting ${tarball} failed: ${result.stderr}`);
}


/** The container's init: nspawn's child once it is PID 1 of its own PID namespace and runs systemd. */
async function findInit(nspawnPid: number, exited: () => boolean, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !exited()) {
    const children = await readFile(`/proc/${nspawnPid}/task/${nspawnPid}/children`, 'utf8').catch(() => '');
    for (const pid of children.split(/\s+/).filter(Boolean).map(Number)) {
      const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
      const nspid = /^NSpid:\s+(.*)$/m.exec(status)?.[1]?.trim().split(/\s+/) ?? [];
      if (nspid.at(-1) === '1' && /^Name:\s+systemd$/m.test(status)) return pid;
    }
    await sleep(50);
  }
  throw new ContainerError(exited() ? 'systemd-nspawn exited before the container started' : `no container init within ${timeoutMs} ms`);
}

const liveContainers = new Set<Container>();

export class Container {
  readonly machine: string;
  /** Milliseconds from starting nspawn until systemd inside reported the boot finished. */
  bootMs = 0;
  private consoleTail = '';
  private hasExited = false;
  private readonly nspawnStart: string | undefined;
  private init = 0;
  private initStart: string | undefined;
  readonly exited: Promise<number | null>;
  readonly nspawnPid: number;

  private constructor(readonly dir: string, netns: string) {
    this.machine = `cloudy-boot-${randomBytes(3).toString('hex')}`;
    // --register=no --keep-unit: the host has no systemd as PID 1 (no bus to register with or to make a scope);
    // detached: its own process group, so a Ctrl-C to the test's terminal reaches our cleanup, not the container.
    const child = spawnChild('systemd-nspawn', ['--quiet', '-D', dir, '-b', '--register=no', '--keep-unit',
      `--machine=${this.machine}`, `--network-namespace-path=/run/netns/${netns}`, '--console=pipe'],
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    if (child.pid === undefined) throw new ContainerError('could not start systemd-nspawn');
    this.nspawnPid = child.pid;
    this.nspawnStart = startTimeOf(child.pid);
    const append = (chunk: string) => { this.consoleTail = (this.consoleTail + chunk).slice(-CONSOLE_LIMIT); };
    child.stdout!.setEncoding('utf8').on('data', append);
    child.stderr!.setEncoding('utf8').on('data', append);
    this.exited = new Promise((resolve) => {
      child.once('error', (error) => { append(`${error.message}\n`); this.hasExited = true; resolve(null); });
      child.once('exit', (code) => { this.hasExited = true; resolve(code); });
    });
  }

  /** Boots `dir` in the lab namespace `netns` and waits until systemd inside has finished starting up. */
  static async boot(dir: string, netns: string, timeoutMs = 60_000): Promise<Container> {
    registerExitCleanup();
    const started = Date.now();
    const container = new Container(dir, netns);
    liveContainers.add(container);
    try {
      container.init = await findInit(container.nspawnPid, () => container.hasExited, timeoutMs);
      container.initStart = startTimeOf(container.init);
      await container.waitForBoot(started + timeoutMs);
      container.bootMs = Date.now() - started;
      return container;
    } catch (error) {
      await container.destroy();
      throw new ContainerError(`${(error as Error).message}\n${container.console()}`);
    }
  }

  /** PID of the container's systemd, as the host sees it. */
  get initPid(): number { return this.init; }

  console(): string { return this.consoleTail; }

  private async waitForBoot(deadline: number): Promise<void> {
    let last = '';
    while (Date.now() < deadline && !this.hasExited) {
      // --wait blocks until start-up is over; it fails while the container's bus is not up yet.
      const state = await this.exec(['systemctl', 'is-system-running', '--wait'], { timeoutMs: Math.max(1000, deadline - Date.now()) });
      last = state.stdout.trim() || state.stderr.trim();
      if (last === 'running' || last === 'degraded') return;
      await sleep(100);
    }
    throw new ContainerError(`the container did not finish booting: ${last}`);
  }

  /** Runs a program inside every namespace of the container (argv, no shell); never rejects for a non-zero exit. */
  exec(argv: string[], opts: { timeoutMs?: number; env?: Record<string, string> } = {}): Promise<RunResult> {
    if (this.init === 0 || this.hasExited) return Promise.reject(new ContainerError(`container ${this.machine} is not running`));
    return runProgram(['nsenter', '-t', String(this.init), '-a', '--', ...argv], { timeoutMs: opts.timeoutMs, env: { ...INSIDE_ENV, ...opts.env } });
  }

  /** Like exec, but a non-zero exit is an error carrying the program's output; returns stdout. */
  async check(argv: string[], opts: { timeoutMs?: number; env?: Record<string, string> } = {}): Promise<string> {
    const result = await this.exec(argv, opts);
    if (result.code !== 0) throw new ContainerError(`${argv.join(' ')} exited ${result.code}:\n${result.stdout}${result.stderr}`);
    return result.stdout;
  }

  private ours(): boolean { return !this.hasExited && startTimeOf(this.nspawnPid) === this.nspawnStart; }

  /** `systemctl poweroff` and wait for nspawn to exit; falls back to killing it (and with it the PID namespace). */
  async poweroff(timeoutMs = 30_000): Promise<void> {
    if (this.ours() && this.init !== 0) await this.exec(['systemctl', 'poweroff'], { timeoutMs: 10_000 }).catch(() => undefined);
    if (!await settlesWithin(this.exited, timeoutMs)) {
      await this.destroy();
      throw new ContainerError(`container ${this.machine} did not power off within ${timeoutMs} ms; killed\n${this.console()}`);
    }
    liveContainers.delete(this);
  }

  /** Ends the container whatever state it is in: SIGTERM to nspawn (it halts the container), then SIGKILL. */
  async destroy(): Promise<void> {
    if (this.ours()) {
      sendSignal(this.nspawnPid, 'SIGTERM');
      if (!await settlesWithin(this.exited, 10_000)) this.killSync();
      await this.exited;
    }
    liveContainers.delete(this);
  }

  /** Killing the container's PID 1 kills its whole PID namespace; nspawn then exits. */
  killSync(): void {
    if (!this.ours()) return;
    if (this.init !== 0 && startTimeOf(this.init) === this.initStart) sendSignal(this.init, 'SIGKILL');
    sendSignal(-this.nspawnPid, 'SIGKILL');
    sendSignal(this.nspawnPid, 'SIGKILL');
  }
}

let exitCleanupRegistered = false;
/** As the lab does (netns-lab.ts): kill what is left on exit and on SIGINT/SIGTERM, then let the signal act. */
function registerExitCleanup(): void {
  if (exitCleanupRegistered) return;
  exitCleanupRegistered = true;
  cleanUpOnExit(() => { for (const container of liveContainers) container.killSync(); });
}
