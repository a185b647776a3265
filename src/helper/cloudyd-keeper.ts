// Without systemd, the helper runs cloudyd itself: starts it with the node's options, restarts it when it dies, and
// records both PIDs in run/cloudy/node.json. Under systemd, cloudyd.service does this and the helper does not.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { nodeLayout } from '../shared/node-layout.ts';
import { CLOUDYD_NODE_FLAGS } from '../shared/node-flags.ts';
import { startOptionArgs, type StartOptions } from '../shared/start-options.ts';
import { processStartTime } from './supervisor.ts';

const STOP_GRACE_MS = 15_000;
const STABLE_AFTER_MS = 30_000;

/** What `run/cloudy/node.json` holds: read by the tests, the benches and a second `cloudy start`. */
export interface NodeState {
  /** The process `cloudy start` runs as: bin/cloudy's keeper loop around the helper. */
  pid: number;
  helperPid: number;
  cloudydPid: number | null;
  cloudydStartTime: string | null;
  listen: string;
  httpPort: number;
  httpsPort: number;
}

/** cloudyd the way this helper itself runs: the production build with its flags, or the TypeScript sources via tsx. */
function cloudydProgram(): { argv: string[]; files: string[] } {
  const here = path.dirname(fileURLToPath(import.meta.url));
  if (import.meta.url.endsWith('.js')) {
    const entry = path.join(here, 'cloudyd.js');
    return { argv: [...(process.env.CLOUDY_NODE_FLAGS?.split(' ').filter(Boolean) ?? CLOUDYD_NODE_FLAGS), entry], files: [entry] };
  }
  const [tsx, entry] = [fileURLToPath(import.meta.resolve('tsx')), path.resolve(here, '../daemon/main.ts')];
  return { argv: ['--import', tsx, entry], files: [tsx, entry] };
}

/**
 * Whether cloudyd can run as `cloudy` from the start, as under systemd: its code readable, its data dir writable.
 * Asked of the system as that user (`test`), since only the kernel knows every ACL and mount option on the way.
 */
function readableAs(account: { uid: number; gid: number }, files: string[], dataDir: string): boolean {
  // One `test` for all of it (each process started costs the cold start a few ms): -r FILE -a … -a -w DIR.
  const args = [...files.flatMap((file) => ['-r', file, '-a']), '-w', dataDir];
  return spawnSync('test', args, { uid: account.uid, gid: account.gid, stdio: 'ignore' }).status === 0;
}

export function readNodeState(file: string): NodeState | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as NodeState;
  } catch {
    return null;
  }
}

/** A live process other than this one and its keeper that `cloudy start` runs as for this root, if any. */
export function otherLiveNode(state: NodeState | null, keeperPid: number): number | null {
  if (!state) return null;
  for (const pid of [state.pid, state.helperPid]) {
    if (pid === process.pid || pid === keeperPid) continue;
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('cloudy')) return pid;
    } catch {
      // Gone: a stale record from a crash.
    }
  }
  return null;
}

export class CloudydKeeper {
  private child?: ChildProcess;
  private stopping = false;
  private failures = 0;

  private readonly argv: string[];
  /** Given to the spawn (the kernel drops root before cloudyd's first instruction) or, if undefined, cloudyd drops it. */
  private readonly runAs?: { uid: number; gid: number };

  /**
   * @param stateFile run/cloudy/node.json
   * @param keeperPid the PID of the keeper loop in bin/cloudy (or this process, when started without it)
   * @param account the `cloudy` account
   */
  constructor(
    private readonly options: StartOptions,
    private readonly stateFile: string,
    private readonly keeperPid: number,
    account: { uid: number; gid: number },
  ) {
    const program = cloudydProgram();
    this.argv = [...program.argv, ...startOptionArgs(options)];
    // Started as cloudy whenever it can be: some Node builds (Debian 13's) refuse setuid() in a running process
    // (the CVE-2024-22017 guard), so the drop inside cloudyd is kept for a checkout only root can read.
    this.runAs = readableAs(account, program.files, nodeLayout(options.root).dataDir) ? account : undefined;
  }

  /** A cloudyd that a killed predecessor of this helper left running would hold the ports: it goes first. */
  reapOrphan(): number | null {
    const previous = readNodeState(this.stateFile);
    const pid = previous?.cloudydPid;
    if (!pid || !previous.cloudydStartTime || processStartTime(pid) !== previous.cloudydStartTime) return null;
    try {
      process.kill(pid, 'SIGKILL');
      return pid;
    } catch {
      return null; // It exited in between.
    }
  }

  start(): void {
    const startedAt = Date.now();
    const child = spawn(process.execPath, this.argv, {
      stdio: ['ignore', 'inherit', 'inherit'],
      ...(this.runAs ? { uid: this.runAs.uid, gid: this.runAs.gid, env: { ...process.env, HOME: nodeLayout(this.options.root).dataDir } } : {}),
    });
    this.child = child;
    child.once('spawn', () => this.writeState());
    child.once('exit', (code, signal) => {
      if (this.stopping) return;
      this.failures = Date.now() - startedAt > STABLE_AFTER_MS ? 1 : this.failures + 1;
      const delay = Math.min(30_000, 250 * 2 ** this.failures);
      console.error(`cloudy-helper: cloudyd exited (${signal ?? `code ${code}`}); restarting in ${delay} ms`);
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

  writeState(): void {
    const cloudydPid = this.child?.pid ?? null;
    const state: NodeState = {
      pid: this.keeperPid,
      helperPid: process.pid,
      cloudydPid,
      cloudydStartTime: cloudydPid ? processStartTime(cloudydPid) : null,
      listen: this.options.listen,
      httpPort: this.options.httpPort,
      httpsPort: this.options.httpsPort,
    };
    writeFileSync(`${this.stateFile}.tmp`, JSON.stringify(state));
    renameSync(`${this.stateFile}.tmp`, this.stateFile);
  }
}
