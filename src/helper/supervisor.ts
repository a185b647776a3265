// Embedded supervisor: runs daemons in the foreground, restarts them with backoff, keeps their logs.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';

import { acceptsConnections } from '../kit/tcp-probe.ts';
import type { DaemonState } from '../shared/api-contract.ts';

export interface SupervisedDaemon {
  /** `<module>.<daemon>` */
  id: string;
  argv: string[];
  env: Record<string, string>;
  uid: number;
  gid: number;
  cwd?: string;
  readyWhenListening?: { host: string; port: number };
  /** Linux capabilities kept across the change of user (ambient), e.g. `net_bind_service`. */
  capabilities?: string[];
}

/**
 * How to run a daemon as its user: directly, or through setpriv(1) when it keeps capabilities (setpriv, started as
 * root, changes the user with the capabilities ambient and then execs the daemon: the PID is the daemon's).
 */
export function launchCommand(spec: SupervisedDaemon): { argv: string[]; uid?: number; gid?: number } {
  if (!spec.capabilities?.length) return { argv: spec.argv, uid: spec.uid, gid: spec.gid };
  const caps = spec.capabilities.map((name) => `+${name}`).join(',');
  return { argv: ['setpriv', `--reuid=${spec.uid}`, `--regid=${spec.gid}`, '--clear-groups', `--inh-caps=${caps}`, `--ambient-caps=${caps}`, '--', ...spec.argv] };
}

export interface DaemonStatus {
  id: string;
  state: DaemonState;
  pid: number | null;
  restarts: number;
  lastExit: string | null;
}

export interface SupervisorLogLine {
  time: string;
  source: string;
  text: string;
}

/** Implemented by this embedded supervisor and by the systemd one (systemd-supervisor.ts), which asks systemctl. */
export interface Supervisor {
  start(daemon: SupervisedDaemon): Promise<DaemonStatus>;
  stop(id: string): Promise<void>;
  /** Sends a signal to the daemon's main process (e.g. SIGHUP to reload); false when it is not running. */
  signal(id: string, signal: NodeJS.Signals): boolean | Promise<boolean>;
  status(id: string): DaemonStatus | Promise<DaemonStatus>;
  logs(id: string, limit: number): SupervisorLogLine[] | Promise<SupervisorLogLine[]>;
  /** When the helper stops: the embedded supervisor stops its daemons with it. */
  stopAll(): Promise<void>;
}

const LOG_LINES_KEPT = 500;
const READY_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 10_000;
const MAX_BACKOFF_MS = 60_000;
const STABLE_AFTER_MS = 30_000;
const GIVE_UP_AFTER_FAILURES = 8;

interface Entry {
  spec: SupervisedDaemon;
  child?: ChildProcess;
  state: DaemonState;
  restarts: number;
  consecutiveFailures: number;
  lastExit: string | null;
  startedAt: number;
  wanted: boolean;
  restartTimer?: NodeJS.Timeout;
  log: SupervisorLogLine[];
}

export class EmbeddedSupervisor implements Supervisor {
  private readonly entries = new Map<string, Entry>();

  /**
   * @param pidDir where PIDs are recorded, so a restarted helper can stop orphans of its predecessor.
   * @param stopGraceMs how long a daemon may take to exit after SIGTERM before it gets SIGKILL.
   * @param readyTimeoutMs how long a daemon may take to listen before it counts as failed.
   */
  constructor(
    private readonly pidDir: string,
    private readonly stopGraceMs = STOP_GRACE_MS,
    private readonly readyTimeoutMs = READY_TIMEOUT_MS,
  ) {
    mkdirSync(pidDir, { recursive: true, mode: 0o700 });
  }

  /** Kills daemons a crashed predecessor left running (by recorded PID and start time, never by name). */
  reapOrphans(): string[] {
    const reaped: string[] = [];
    for (const file of readdirSync(this.pidDir)) {
      const recordFile = path.join(this.pidDir, file);
      try {
        const { pid, startTime } = JSON.parse(readFileSync(recordFile, 'utf8')) as { pid: number; startTime: string };
        if (processStartTime(pid) === startTime) {
          process.kill(-pid, 'SIGKILL');
          reaped.push(`${file} (pid ${pid})`);
        }
      } catch {
        // An unreadable record or a vanished process: nothing to reap.
      }
      rmSync(recordFile, { force: true });
    }
    return reaped;
  }

  async start(spec: SupervisedDaemon): Promise<DaemonStatus> {
    const existing = this.entries.get(spec.id);
    if (existing?.wanted && existing.child) return this.status(spec.id);
    // A daemon waiting out its backoff is started now, once: the pending restart must not start a second copy.
    clearTimeout(existing?.restartTimer);
    const entry: Entry = existing ?? { spec, state: 'stopped', restarts: 0, consecutiveFailures: 0, lastExit: null, startedAt: 0, wanted: true, log: [] };
    Object.assign(entry, { spec, wanted: true, consecutiveFailures: 0 });
    this.entries.set(spec.id, entry);
    this.launch(entry);
    await this.waitUntilReady(entry);
    return this.status(spec.id);
  }

  async stop(id: string): Promise<void> {
    const entry = this.entries.get(id);
    if (!entry) return;
    entry.wanted = false;
    clearTimeout(entry.restartTimer);
    const child = entry.child;
    if (child?.pid && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
      signalGroup(child.pid, 'SIGTERM');
      const timer = setTimeout(() => child.pid && signalGroup(child.pid, 'SIGKILL'), this.stopGraceMs);
      await exited;
      clearTimeout(timer);
    }
    entry.state = 'stopped';
  }

  signal(id: string, signal: NodeJS.Signals): boolean {
    const pid = this.entries.get(id)?.child?.pid;
    if (!pid) return false;
    try {
      process.kill(pid, signal);
      return true;
    } catch {
      return false;
    }
  }

  status(id: string): DaemonStatus {
    const entry = this.entries.get(id);
    if (!entry) return { id, state: 'stopped', pid: null, restarts: 0, lastExit: null };
    return { id, state: entry.state, pid: entry.child?.pid ?? null, restarts: entry.restarts, lastExit: entry.lastExit };
  }

  logs(id: string, limit: number): SupervisorLogLine[] {
    return (this.entries.get(id)?.log ?? []).slice(-limit);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.entries.keys()].map((id) => this.stop(id)));
  }

  private launch(entry: Entry): void {
    const { spec } = entry;
    const launch = launchCommand(spec);
    const [program, ...args] = launch.argv;
    const child = spawn(program!, args, {
      shell: false,
      detached: true,
      cwd: spec.cwd,
      env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8', ...spec.env },
      ...(launch.uid === undefined ? {} : { uid: launch.uid, gid: launch.gid }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    entry.child = child;
    entry.state = 'starting';
    entry.startedAt = Date.now();
    this.appendLog(entry, 'supervisor', `started ${spec.argv.join(' ')} as uid ${spec.uid}`);
    for (const [source, stream] of [['stdout', child.stdout!], ['stderr', child.stderr!]] as const) {
      createInterface({ input: stream }).on('line', (text) => this.appendLog(entry, source, text));
    }
    child.once('spawn', () => this.recordPid(spec.id, child.pid!));
    child.once('error', (error) => this.appendLog(entry, 'supervisor', `could not start: ${error.message}`));
    child.once('close', (code, signal) => this.onExit(entry, child, code, signal));
  }

  private onExit(entry: Entry, child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (entry.child !== child) return;
    rmSync(path.join(this.pidDir, `${entry.spec.id}.json`), { force: true });
    entry.child = undefined;
    entry.lastExit = signal ? `signal ${signal}` : `exit code ${code}`;
    this.appendLog(entry, 'supervisor', `exited (${entry.lastExit})`);
    if (!entry.wanted) {
      entry.state = 'stopped';
      return;
    }
    const ranStably = Date.now() - entry.startedAt > STABLE_AFTER_MS;
    entry.consecutiveFailures = ranStably ? 1 : entry.consecutiveFailures + 1;
    if (entry.consecutiveFailures >= GIVE_UP_AFTER_FAILURES) {
      entry.state = 'failed';
      this.appendLog(entry, 'supervisor', `gave up after ${entry.consecutiveFailures} failed starts`);
      return;
    }
    const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** (entry.consecutiveFailures - 1));
    entry.state = 'backoff';
    this.appendLog(entry, 'supervisor', `restarting in ${delay} ms`);
    entry.restartTimer = setTimeout(() => {
      if (!entry.wanted) return;
      entry.restarts += 1;
      this.launch(entry);
      void this.waitUntilReady(entry);
    }, delay);
  }

  private async waitUntilReady(entry: Entry): Promise<void> {
    const probe = entry.spec.readyWhenListening;
    const child = entry.child;
    const deadline = Date.now() + this.readyTimeoutMs;
    while (entry.child === child && child && entry.state === 'starting') {
      if (!probe || (await acceptsConnections(probe.host, probe.port))) {
        entry.state = 'running';
        return;
      }
      if (Date.now() > deadline) {
        // Half-started is worse than stopped: it holds ports and looks alive. Stop it and say so.
        this.appendLog(entry, 'supervisor', `not listening on ${probe.host}:${probe.port} after ${this.readyTimeoutMs} ms; stopping it`);
        await this.stop(entry.spec.id);
        entry.state = 'failed';
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  private recordPid(id: string, pid: number): void {
    const record = { pid, startTime: processStartTime(pid) };
    writeFileSync(path.join(this.pidDir, `${id}.json`), JSON.stringify(record), { mode: 0o600 });
  }

  private appendLog(entry: Entry, source: string, text: string): void {
    entry.log.push({ time: new Date().toISOString(), source, text: text.slice(0, 2000) });
    if (entry.log.length > LOG_LINES_KEPT) entry.log.splice(0, entry.log.length - LOG_LINES_KEPT);
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/** Field 22 of /proc/PID/stat: distinguishes a process from a later one that reuses its PID. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}
