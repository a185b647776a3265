// The WebDAV part of `npm run bench:services`: the module's apache (its own config, its user) against a bare node:https
// file server with the same certificate, in the same lab host, both driven by curl over that host's loopback.
import { mkdirSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';

import { bcryptHash } from '../src/kit/bcrypt.ts';
import type { PrivilegedAction } from '../src/kit/privileged-action.ts';
import { webdavManifest } from '../src/modules/webdav/manifest.ts';
import { webdavActions } from '../src/modules/webdav/privileged.ts';
import { WEBDAV_USER, webdavLayout } from '../src/modules/webdav/webdav-layout.ts';
import { nodeLayout } from '../src/shared/node-layout.ts';
import { moduleActions } from '../test/support/module-actions.ts';
import type { Lab, LabHost } from '../test/support/netns-lab.ts';
import { progress } from './discovery-measure.ts';
import { median } from './report-table.ts';
import { makeBaselineCert } from './timed-start.ts';

const MIB = 1024 * 1024;
const BIG_MIB = 100;
const SMALL_MIB = 1;
export const RUNS = 3;
export const CONNECTIONS = 20;
/** GETs of the small file per run, spread over the connections: 25 per connection. */
export const SMALL_GETS = 500;
const WEBDAV_PORT = 8443;
const PLAIN_PORT = 9443;
const USER = { name: 'bench', password: 'bench-password' };
/** As cloudyd hands users over: bcrypt at the manifest's cost 8 (apache checks it at every request). */
const BCRYPT_COST = 8;

/** The baseline: a bare node:https server that sends a file of `getDir` for GET and writes a PUT body to `putDir`. */
const PLAIN_HTTPS_SERVER = `
const fs = require('node:fs');
const path = require('node:path');
const [certFile, keyFile, getDir, putDir, port] = process.argv.slice(1);
require('node:https').createServer({ cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile) }, (request, response) => {
  const name = path.basename(new URL(request.url, 'https://localhost').pathname);
  if (request.method === 'PUT') {
    request.pipe(fs.createWriteStream(path.join(putDir, name))).on('finish', () => response.writeHead(201, { 'content-length': 0 }).end());
    return;
  }
  const file = path.join(getDir, name);
  fs.stat(file, (error, stat) => {
    if (error) return response.writeHead(404, { 'content-length': 0 }).end();
    response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': stat.size });
    fs.createReadStream(file).pipe(response);
  });
}).listen(Number(port), '127.0.0.1');
`;

export interface Transfer {
  label: string;
  /** MiB/s of each run, in order. */
  runs: number[];
  median: number;
}

export interface WebdavFigures {
  big: { webdavPut: Transfer; webdavGet: Transfer; plainGet: Transfer; plainPut: Transfer };
  parallel: { plain: Transfer; webdavPublic: Transfer; webdavLogin: Transfer; connectionsOpened: number[] };
  /** Warm-ups that failed once (each then succeeded on its second try). */
  warmupFailures: string[];
}

async function writeRandomFile(file: string, mebibytes: number): Promise<void> {
  const handle = await open(file, 'w', 0o644);
  for (let written = 0; written < mebibytes; written++) await handle.write(randomBytes(MIB));
  await handle.close();
}

/** curl's `-w` fields of one transfer. */
interface CurlLine { status: number; downloaded: number; uploaded: number; seconds: number; connects: number }
const WRITE_OUT = '%{http_code} %{size_download} %{size_upload} %{time_total} %{num_connects}\\n';

/** Runs curl in the lab host (HTTP/1.1, certificate not checked: it is self-signed) and returns one line per transfer. */
async function curl(lab: Lab, host: LabHost, args: string[], expect: number[]): Promise<CurlLine[]> {
  const result = await lab.run(host, ['curl', '-sSk', '--no-progress-meter', '--http1.1', '-w', WRITE_OUT, ...args], { timeoutMs: 300_000 });
  const lines = result.stdout.trim().split('\n').map((line) => {
    const [status, downloaded, uploaded, seconds, connects] = line.split(' ').map(Number) as [number, number, number, number, number];
    return { status, downloaded, uploaded, seconds, connects };
  });
  const bad = lines.find((line) => !expect.includes(line.status));
  if (result.code !== 0 || bad) {
    const complaint = /curl: \(\d+\).*/.exec(result.stderr)?.[0] ?? result.stderr.trim();
    throw new Error(`curl … ${args.at(-1)}: exit ${result.code}, HTTP ${bad?.status ?? 'ok'}: ${complaint}`);
  }
  return lines;
}

interface Cell { label: string; measure(): Promise<number> }

/**
 * One unmeasured warm-up of each cell (page cache, apache's workers, TLS), then RUNS rounds in which the cells take
 * turns: a change in the machine's load (tests run beside the bench) hits every cell alike, not the last one.
 */
async function takeTurns<T extends Record<string, Cell>>(cells: T, warmupFailures: string[]): Promise<{ [K in keyof T]: Transfer }> {
  const entries = Object.entries(cells);
  for (const [, cell] of entries) {
    progress(`webdav: warm-up, ${cell.label}`);
    await cell.measure().catch((error: Error) => {
      warmupFailures.push(`${cell.label}: ${error.message}`);
      progress(`webdav: warm-up of ${cell.label} failed, once more: ${error.message}`);
      return cell.measure();
    });
  }
  const runs = entries.map((): number[] => []);
  for (let run = 1; run <= RUNS; run++) {
    progress(`webdav: round ${run}/${RUNS} of ${entries.map(([, cell]) => cell.label).join('; ')}`);
    for (const [index, [, cell]] of entries.entries()) runs[index]!.push(await cell.measure());
  }
  return Object.fromEntries(entries.map(([key, cell], index) => [key, { label: cell.label, runs: runs[index]!, median: median(runs[index]!) }])) as { [K in keyof T]: Transfer };
}

/** One 100 MiB transfer; MiB/s from curl's own total time. */
function bigTransfer(lab: Lab, host: LabHost, label: string, args: string[], expect: number[], direction: 'downloaded' | 'uploaded'): Cell {
  return {
    label,
    async measure() {
      const [line] = await curl(lab, host, args, expect);
      if (line![direction] !== BIG_MIB * MIB) throw new Error(`${label}: ${line![direction]} bytes moved, not ${BIG_MIB * MIB}`);
      return BIG_MIB / line!.seconds;
    },
  };
}

/**
 * SMALL_GETS GETs of the 1 MiB file by one curl process with `--parallel-max 20` (libcurl's multi interface, one
 * thread in C: the client costs little next to the servers), timed from the outside, curl's start included.
 */
function parallelGets(lab: Lab, host: LabHost, label: string, url: string, auth: string[], connections: number[]): Cell {
  const args = [...auth, '--parallel', '--parallel-immediate', '--parallel-max', String(CONNECTIONS), '-o', '/dev/null', `${url}?[1-${SMALL_GETS}]`];
  return {
    label,
    async measure() {
      const started = performance.now();
      const lines = await curl(lab, host, args, [200]);
      const seconds = (performance.now() - started) / 1000;
      if (lines.length !== SMALL_GETS || lines.some((line) => line.downloaded !== SMALL_MIB * MIB)) throw new Error(`${label}: not ${SMALL_GETS} whole files`);
      connections.push(lines.reduce((sum, line) => sum + line.connects, 0));
      return (SMALL_GETS * SMALL_MIB) / seconds;
    },
  };
}

/** Apache as the module runs it, a share `bench` (user bench, read-write) and `pub` (public); the plain server beside it. */
export async function measureWebdav(lab: Lab, host: LabHost, root: string): Promise<WebdavFigures> {
  const node = nodeLayout(root);
  mkdirSync(path.dirname(node.tlsKeyFile), { recursive: true, mode: 0o700 });
  const tls = await makeBaselineCert(path.dirname(node.tlsKeyFile));
  if (tls.keyFile !== node.tlsKeyFile || tls.certFile !== node.tlsCertFile) throw new Error('the node layout moved its TLS files');
  const actions = moduleActions(root, webdavManifest, webdavActions as PrivilegedAction[]);
  const layout = webdavLayout(root);
  await actions.call('webdav.prepareHome');
  const users = [{ name: USER.name, passwordHash: await bcryptHash(USER.password, BCRYPT_COST) }];
  const shares = [
    { name: 'bench', readOnlyUsers: [], readWriteUsers: [USER.name], public: false },
    { name: 'pub', readOnlyUsers: [], readWriteUsers: [USER.name], public: true },
  ];
  await actions.call('webdav.writeConfig', { port: WEBDAV_PORT, uploadLimitMiB: 2 * BIG_MIB, shares, users, reload: false });

  const bigFile = path.join(root, 'big.bin');
  await writeRandomFile(bigFile, BIG_MIB);
  // The 1 MiB file in both shares; the plain server sends the one in `bench`, which is also its GET folder.
  for (const share of ['bench', 'pub']) await writeRandomFile(path.join(layout.sharesDir, share, 'small.bin'), SMALL_MIB);
  const plainUploads = path.join(root, 'plain-uploads');
  mkdirSync(plainUploads);

  const asModuleUser = ['setpriv', `--reuid=${WEBDAV_USER}`, `--regid=${WEBDAV_USER}`, '--init-groups'];
  const apache = lab.spawn(host, [...asModuleUser, 'apache2', '-f', layout.configFile, '-DFOREGROUND'], { cwd: layout.home });
  const plain = lab.spawn(host, [process.execPath, '-e', PLAIN_HTTPS_SERVER, tls.certFile, tls.keyFile, path.join(layout.sharesDir, 'bench'), plainUploads, String(PLAIN_PORT)]);
  await lab.waitForTcp(host, '127.0.0.1', WEBDAV_PORT, 15_000);
  await lab.waitForTcp(host, '127.0.0.1', PLAIN_PORT, 15_000);

  const login = ['-u', `${USER.name}:${USER.password}`];
  const webdav = `https://127.0.0.1:${WEBDAV_PORT}`;
  const plainUrl = `https://127.0.0.1:${PLAIN_PORT}`;
  const toNull = ['-o', '/dev/null'];
  // PUT first: the GETs read back the file WebDAV wrote (201 the first time, 204 when it replaces it).
  const warmupFailures: string[] = [];
  const big = await takeTurns({
    webdavPut: bigTransfer(lab, host, 'WebDAV PUT (login)', [...login, ...toNull, '-T', bigFile, `${webdav}/bench/big.bin`], [201, 204], 'uploaded'),
    webdavGet: bigTransfer(lab, host, 'WebDAV GET (login)', [...login, ...toNull, `${webdav}/bench/big.bin`], [200], 'downloaded'),
    plainGet: bigTransfer(lab, host, 'plain HTTPS GET (node:https)', [...toNull, `${plainUrl}/big.bin`], [200], 'downloaded'),
    plainPut: bigTransfer(lab, host, 'plain HTTPS PUT (node:https)', [...toNull, '-T', bigFile, `${plainUrl}/big.bin`], [201], 'uploaded'),
  }, warmupFailures);
  const connectionsOpened: number[] = [];
  const parallel = {
    ...(await takeTurns({
      plain: parallelGets(lab, host, 'plain HTTPS GET (node:https)', `${plainUrl}/small.bin`, [], connectionsOpened),
      webdavPublic: parallelGets(lab, host, 'WebDAV GET, public share (no login)', `${webdav}/pub/small.bin`, [], connectionsOpened),
      webdavLogin: parallelGets(lab, host, 'WebDAV GET (login: bcrypt every request)', `${webdav}/bench/small.bin`, login, connectionsOpened),
    }, warmupFailures)),
    connectionsOpened,
  };
  await Promise.all([apache.stop(), plain.stop()]);
  return { big, parallel, warmupFailures };
}
