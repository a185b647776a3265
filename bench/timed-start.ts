// Starts the processes the bench measures (a Cloudy node, a bare HTTPS server, an idle node) and times each to its first 200.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { promisify } from 'node:util';

import { cloudyStartArgv, freePort, makeRootDir, repoDir, type NodeState } from '../test/support/cloudy-node.ts';
import { killIfAlive, onCleanup } from './bench-cleanup.ts';

const POLL_INTERVAL_MS = 20;
const START_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 30_000;

/** The whole baseline server: a fixed small JSON for every request, with the given key and certificate. */
const BASELINE_SERVER = `
const body = JSON.stringify({ status: 'ok', version: '0.0.0' });
require('node:https')
  .createServer({ key: require('node:fs').readFileSync(process.env.KEY_FILE), cert: require('node:fs').readFileSync(process.env.CERT_FILE) }, (request, response) => {
    response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    response.end(body);
  })
  .listen(Number(process.env.PORT), '127.0.0.1');
`;

export interface TimedProcess {
  child: ChildProcess;
  /** Milliseconds from spawn to the first 200. */
  startMs: number;
  stop(): Promise<void>;
}

export interface TimedCloudyNode extends TimedProcess {
  root: string;
  baseUrl: string;
  state(): NodeState;
  setupCode(): string;
}

export interface TlsFiles {
  keyFile: string;
  certFile: string;
}

/** One GET that never throws: the status, or 0 when nothing answered. */
function probeStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const request = https.get(url, { rejectUnauthorized: false, agent: false, timeout: 2_000 }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(0));
  });
}

async function waitFirstOk(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while ((await probeStatus(url)) !== 200) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${url}: the process exited before answering 200:\n${output()}`);
    if (Date.now() > deadline) throw new Error(`${url}: no 200 within ${START_TIMEOUT_MS} ms:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}

/** SIGTERM to the PID, SIGKILL after a grace period; resolves once the child has exited. */
async function stopChild(child: ChildProcess, pid = child.pid): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  killIfAlive(pid, 'SIGTERM');
  const timer = setTimeout(() => killIfAlive(child.pid), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}

/** Spawns argv, polls probeUrl until it answers 200, and registers the stop for cleanup. */
async function spawnTimed([command, ...args]: string[], probeUrl: string, options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<TimedProcess & { output(): string }> {
  let output = '';
  const startedAt = performance.now();
  const child = spawn(command!, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (chunk) => (output = (output + chunk).slice(-64_000)));
  child.stderr!.on('data', (chunk) => (output = (output + chunk).slice(-64_000)));
  const stop = () => stopChild(child);
  onCleanup(stop);
  await waitFirstOk(probeUrl, child, () => output);
  return { child, startMs: performance.now() - startedAt, stop, output: () => output };
}

function readStateOrNull(state: () => NodeState): NodeState | null {
  try {
    return state();
  } catch {
    return null;
  }
}

/**
 * `cloudy start` in a fresh root dir; stop() sends SIGTERM to bin/cloudy's keeper (the PID in node.json), then removes the root.
 * @param built run the production build (dist/node, as `npm start` does) instead of the sources through tsx.
 */
export async function startTimedCloudyNode(options: { built?: boolean; viaNpx?: boolean } = {}): Promise<TimedCloudyNode> {
  const root = makeRootDir();
  onCleanup(() => rmSync(root, { recursive: true, force: true }));
  const [httpPort, httpsPort] = [await freePort(), await freePort()];
  const baseUrl = `https://127.0.0.1:${httpsPort}`;
  const argv = cloudyStartArgv(['--root', root, '--listen', '127.0.0.1', '--http-port', String(httpPort), '--https-port', String(httpsPort),
    // Discovery on loopback like every test node (decision U): nothing gossips or multicasts on the machine's network.
    '--community-address', '127.0.0.1', '--serf-port', String(await freePort()), '--serf-rpc-port', String(await freePort())], options);
  // As the README and the distribution check start it: npm finds node_modules/.bin/cloudy (the production build).
  if (options.viaNpx) argv.splice(0, argv.indexOf('start'), 'npx', '--no-install', 'cloudy');
  const started = await spawnTimed(argv, `${baseUrl}/api/health`, { cwd: repoDir });
  const state = () => JSON.parse(readFileSync(path.join(root, 'run/cloudy/node.json'), 'utf8')) as NodeState;
  let stopped: Promise<void> | undefined;
  const stopOnce = async () => {
    const pids = readStateOrNull(state);
    await stopChild(started.child, pids?.pid ?? started.child.pid);
    // The keeper's helper stops cloudyd before it exits; these only matter if it had to be killed.
    killIfAlive(pids?.helperPid);
    killIfAlive(pids?.cloudydPid);
    rmSync(root, { recursive: true, force: true });
  };
  const stop = () => (stopped ??= stopOnce());
  onCleanup(stop);
  return { ...started, root, baseUrl, state, stop, setupCode: () => readFileSync(path.join(root, 'etc/cloudy/setup-code'), 'utf8').trim() };
}

/** A self-signed P-256 certificate like the node's own (see node.ensureTlsCertificate). */
export async function makeBaselineCert(dir: string): Promise<TlsFiles> {
  const files = { keyFile: path.join(dir, 'key.pem'), certFile: path.join(dir, 'cert.pem') };
  await promisify(execFile)('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=localhost', '-keyout', files.keyFile, '-out', files.certFile,
  ]);
  return files;
}

/** The baseline: a `node -e` HTTPS server answering a fixed small JSON. */
export async function startTimedBaselineServer(tls: TlsFiles): Promise<TimedProcess & { url: string }> {
  const port = await freePort();
  const url = `https://127.0.0.1:${port}/`;
  const env = { ...process.env, KEY_FILE: tls.keyFile, CERT_FILE: tls.certFile, PORT: String(port) };
  return { ...(await spawnTimed([process.execPath, '-e', BASELINE_SERVER], url, { env })), url };
}

/**
 * The same baseline server started the way `npx cloudy start` starts a node: as the bin of a throwaway package, found
 * by `npx --no-install` in its node_modules/.bin. What npm costs before any of Cloudy's code runs.
 */
export async function startTimedBaselineServerViaNpx(tls: TlsFiles, dir: string): Promise<TimedProcess & { url: string }> {
  const port = await freePort();
  const url = `https://127.0.0.1:${port}/`;
  mkdirSync(path.join(dir, 'node_modules/.bin'), { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'floor', version: '0.0.0', private: true }));
  writeFileSync(path.join(dir, 'server.cjs'), BASELINE_SERVER);
  writeFileSync(path.join(dir, 'node_modules/.bin/floor'), `#!/bin/sh\nexec node ${JSON.stringify(path.join(dir, 'server.cjs'))}\n`, { mode: 0o755 });
  const env = { ...process.env, KEY_FILE: tls.keyFile, CERT_FILE: tls.certFile, PORT: String(port) };
  const started = await spawnTimed(['npx', '--no-install', 'floor'], url, { cwd: dir, env });
  // stop() sends SIGTERM to npm, which passes it on to the command it runs (sh exec'd into the server) and then exits.
  return { ...started, url };
}

/** The memory baseline: a node process doing nothing. */
export function startIdleNode(): ChildProcess {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  onCleanup(() => stopChild(child));
  return child;
}
