// A full Cloudy node (launcher, helper, cloudyd) in a lab host, driven with the `cloudy` command inside its namespace.
import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { cloudyStartArgv, repoDir } from './cloudy-node.ts';
import type { Lab, LabHost, LabProcess } from './netns-lab.ts';

export interface LabNode {
  host: LabHost;
  root: string;
  process: LabProcess;
  /** Runs `cloudy --root <root> --json ARGS` inside the host; the parsed JSON, or throws with the command's error. */
  cli<T = any>(...args: string[]): Promise<T>;
  /** `cloudy ARGS` with its raw result. */
  run(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** Starts the node again on the same root (after a stop or a kill). */
  restart(): Promise<void>;
  /** SIGKILL to every process in the host: the launcher, helper, cloudyd and every daemon, as a power cut would. */
  killAll(): Promise<void>;
}

const HEALTHY_WITHIN_MS = 90_000;

/** The node is named after its host (etc/hostname under its root), so Serf and mDNS names differ between hosts. */
/** @param beforeStart runs once the root dir exists, before the node starts (e.g. an avahi-daemon that uses it). */
export async function startLabNode(lab: Lab, host: LabHost, options: { extraArgs?: string[]; beforeStart?: (root: string) => Promise<void> } = {}): Promise<LabNode> {
  const extraArgs = options.extraArgs ?? [];
  const root = await mkdtemp(path.join(tmpdir(), `cloudy-lab-${host.name}-`));
  await chmod(root, 0o755);
  mkdirSync(path.join(root, 'etc'), { recursive: true });
  await writeFile(path.join(root, 'etc/hostname'), `${host.name}\n`);
  await options.beforeStart?.(root);
  const launch = () => lab.spawn(host, cloudyStartArgv(['--root', root, '--listen', host.address, ...extraArgs]), { cwd: repoDir });
  const run = (...args: string[]) => lab.run(host, [process.execPath, '--import', 'tsx', path.join(repoDir, 'src/cli/cloudy.ts'), '--root', root, ...args], { timeoutMs: 60_000, env: { ...process.env } });
  const node: LabNode = {
    host,
    root,
    process: launch(),
    run,
    async cli(...args) {
      const result = await run('--json', ...args);
      if (result.code !== 0) throw new Error(`cloudy ${args.join(' ')} on ${host.name} failed: ${result.stderr.trim()} ${result.stdout.trim().slice(-2000)}`);
      return JSON.parse(result.stdout);
    },
    async restart() {
      node.process = launch();
      await waitHealthy(node);
    },
    async killAll() {
      for (let round = 0; round < 5; round++) {
        const pids = execFileSync('ip', ['netns', 'pids', host.netns], { encoding: 'utf8' }).split(/\s+/).filter(Boolean).map(Number);
        if (pids.length === 0) return;
        for (const pid of pids) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // gone already
          }
        }
        await sleep(200);
      }
    },
  };
  await waitHealthy(node);
  return node;
}

/** Healthy once the CLI gets the node's status (token, certificate and API all in place). */
async function waitHealthy(node: LabNode): Promise<void> {
  const deadline = Date.now() + HEALTHY_WITHIN_MS;
  for (;;) {
    const result = await node.run('--json', 'status');
    if (result.code === 0) return;
    if (Date.now() > deadline) throw new Error(`node on ${node.host.name} not healthy: ${result.stderr}\n${node.process.output()}`);
    await sleep(500);
  }
}

/** Polls `fn` until it returns a value that is not undefined, or fails after `timeoutMs` saying what it waited for. */
export async function eventually<T>(what: string, timeoutMs: number, fn: () => Promise<T | undefined>, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await sleep(intervalMs);
  }
}

export async function removeRoots(nodes: Array<LabNode | undefined>): Promise<void> {
  await Promise.all(nodes.map((node) => (node ? rm(node.root, { recursive: true, force: true }) : undefined)));
}

/** Lab hosts have no route to Debian's mirror: packages a node installs there must already be on the machine. */
export function installFromMirror(...packages: string[]): void {
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', '-o', 'DPkg::Lock::Timeout=600', ...packages], {
    stdio: 'ignore',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}
