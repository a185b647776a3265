// The proxy part of `npm run bench:services`: the proxy3 module's squid (its config, its argv, its user) in one lab host,
// a small node:http origin in another, loaded with autocannon from the machine directly and through squid.
import { rmSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import type { TObject } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

import { bcryptHash } from '../src/kit/bcrypt.ts';
import type { PrivilegedAction } from '../src/kit/privileged-action.ts';
import { expandTemplate, resolveDeclaredPath } from '../src/kit/template.ts';
import { proxy3Manifest } from '../src/modules/proxy3/manifest.ts';
import { proxy3Actions } from '../src/modules/proxy3/privileged.ts';
import { moduleActions } from '../test/support/module-actions.ts';
import type { Lab, LabHost } from '../test/support/netns-lab.ts';
import { onCleanup } from './bench-cleanup.ts';
import { progress } from './discovery-measure.ts';
import { loadShape, measureLoad, type LoadFigures } from './http-load.ts';
import { median } from './report-table.ts';

/** Not 3128 or 8080: squid's shared-memory names follow the port (-n), and the lab test's squids use those. */
const SQUID_PORT = 31280;
const ORIGIN_PORT = 8000;
const BODY_BYTES = 4096;
const ROUNDS = 3;
const USER = { name: 'bench', password: 'bench-proxy-password' };
/** As the module's users are kept: bcrypt cost 10 (squid caches a checked login for 5 minutes). */
const BCRYPT_COST = 10;

/** The origin: BODY_BYTES for every request; /cacheable may be cached an hour, anything else never (no-store). */
const ORIGIN_SERVER = `
const body = Buffer.alloc(${BODY_BYTES}, 'x');
require('node:http').createServer((request, response) => {
  const cacheControl = request.url.startsWith('/cacheable') ? 'public, max-age=3600' : 'no-store';
  response.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length, 'cache-control': cacheControl });
  response.end(body);
}).listen(Number(process.argv[1]), '0.0.0.0');
`;

type Authentication = 'none' | 'local';
export interface ProxyRow {
  label: string;
  /** Each figure the median over the rounds; failures summed. */
  load: LoadFigures;
  rounds: LoadFigures[];
  cpuOf: 'origin' | 'squid';
}
export interface ProxyFigures { rows: ProxyRow[]; direct: LoadFigures; bodyBytes: number; shape: string }

/** One GET through the proxy from this process, as autocannon sends them; the status, or 0 when nothing answered. */
function proxiedStatus(proxy: string, url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    const request = http.request({ host: proxy, port: SQUID_PORT, path: url, headers: { host: new URL(url).host, ...headers }, agent: false, timeout: 5_000 }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(0));
    request.end();
  });
}

async function waitForStatus(expected: number, ...args: Parameters<typeof proxiedStatus>): Promise<void> {
  const deadline = Date.now() + 15_000;
  let status = 0;
  while ((status = await proxiedStatus(...args)) !== expected) {
    if (Date.now() > deadline) throw new Error(`squid answered ${status} for ${args[1]}, not ${expected}`);
    await sleep(200);
  }
}

function medianLoad(rounds: LoadFigures[]): LoadFigures {
  const of = (key: keyof LoadFigures) => median(rounds.map((load) => load[key]));
  return {
    requestsPerSecond: of('requestsPerSecond'), p50Ms: of('p50Ms'), p99Ms: of('p99Ms'), serverCpuMicrosPerRequest: of('serverCpuMicrosPerRequest'),
    failures: rounds.reduce((sum, load) => sum + load.failures, 0),
  };
}

/** The settings a fresh install has (the manifest's defaults), for the writeConfig action's settings argument. */
function defaultSettings(): Record<string, unknown> {
  const writeConfig = proxy3Actions.find((action) => action.name === 'proxy3.writeConfig')!;
  return Value.Create((writeConfig.args as TObject).properties.settings as TObject) as Record<string, unknown>;
}

/** `origin` runs the origin server, `proxyHost` squid; autocannon runs in this process, reaching both over the lab bridge. */
export async function measureProxy(lab: Lab, origin: LabHost, proxyHost: LabHost, root: string): Promise<ProxyFigures> {
  const actions = moduleActions(root, proxy3Manifest, proxy3Actions as PrivilegedAction[]);
  const settings = { ...defaultSettings(), port: SQUID_PORT, authentication: 'none' };
  const writeConfig = (authentication: Authentication, users: Array<{ name: string; passwordHash: string }>) => actions.call('proxy3.writeConfig', {
    settings: { ...settings, authentication }, visibleHostname: `proxy-${proxyHost.name}`, clientSubnets: [lab.subnet],
    blockedDestinations: ['192.168.0.0/16', '172.16.0.0/12'], federatedProxies: [], parents: [], users, ldapBindPassword: '',
  });
  const users = [{ name: USER.name, passwordHash: await bcryptHash(USER.password, BCRYPT_COST) }];
  await actions.call('proxy3.prepareHome');
  await writeConfig('none', users);

  const originProcess = lab.spawn(origin, [process.execPath, '-e', ORIGIN_SERVER, String(ORIGIN_PORT)]);
  const [daemon] = proxy3Manifest.daemons;
  const argv = daemon.argv.map((part) => expandTemplate(part, { root, paths: proxy3Manifest.paths, config: settings, secrets: {} }));
  const user = daemon.user;
  const squid = lab.spawn(proxyHost, ['setpriv', `--reuid=${user}`, `--regid=${user}`, '--clear-groups', ...argv], { cwd: resolveDeclaredPath(root, proxy3Manifest.paths.home) });
  // A squid killed with SIGKILL leaves its shared-memory segments behind, named after -n.
  onCleanup(() => {
    for (const segment of ['metadata', 'queues', 'readers']) rmSync(path.join('/dev/shm', `cloudyproxy3p${SQUID_PORT}-cf__${segment}.shm`), { force: true });
  });
  await lab.waitForTcp(proxyHost, origin.address, ORIGIN_PORT, 10_000);
  await lab.waitForTcp(proxyHost, proxyHost.address, SQUID_PORT, 15_000);

  const originUrl = `http://${origin.address}:${ORIGIN_PORT}`;
  const squidUrl = `http://${proxyHost.address}:${SQUID_PORT}`;
  const forwarded = `${originUrl}/no-store`;
  const cached = `${originUrl}/cacheable`;
  const through = (url: string, headers: Record<string, string> = {}) => measureLoad(squidUrl, squid.pid, { host: new URL(url).host, ...headers }, url);
  await waitForStatus(200, proxyHost.address, forwarded);

  const login = { 'proxy-authorization': `Basic ${Buffer.from(`${USER.name}:${USER.password}`).toString('base64')}` };
  let authentication: Authentication = 'none';
  // A login change as the module applies it: squid.conf and the password file rewritten, then squid -k reconfigure
  // (same PID); it is in force once squid answers as the new configuration says.
  const useLogin = async (wanted: Authentication) => {
    if (wanted === authentication) return;
    await writeConfig(wanted, users);
    await actions.call('proxy3.reload');
    await waitForStatus(wanted === 'local' ? 407 : 200, proxyHost.address, forwarded);
    authentication = wanted;
  };
  const cells: Array<{ label: string; cpuOf: ProxyRow['cpuOf']; login: Authentication; run(): Promise<LoadFigures> }> = [
    { label: 'direct to the origin', cpuOf: 'origin', login: 'none', run: () => measureLoad(forwarded, originProcess.pid) },
    { label: 'through squid, login none, no-store (forwarded)', cpuOf: 'squid', login: 'none', run: () => through(forwarded) },
    { label: 'through squid, login none, cacheable (memory hit)', cpuOf: 'squid', login: 'none', run: () => through(cached) },
    { label: 'through squid, login local (bcrypt), no-store', cpuOf: 'squid', login: 'local', run: () => through(forwarded, login) },
  ];
  // The cells take turns, ROUNDS times: a change in the machine's load meanwhile reaches every cell, not only the last.
  const loads = cells.map((): LoadFigures[] => []);
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [index, cell] of cells.entries()) {
      await useLogin(cell.login);
      progress(`proxy: round ${round}/${ROUNDS}: ${cell.label} (${loadShape})`);
      loads[index]!.push(await cell.run());
    }
  }
  await Promise.all([squid.stop(), originProcess.stop()]);
  const rows = cells.map(({ label, cpuOf }, index) => ({ label, cpuOf, rounds: loads[index]!, load: medianLoad(loads[index]!) }));
  return { rows, direct: rows[0]!.load, bodyBytes: BODY_BYTES, shape: `${loadShape}, median of ${ROUNDS} rounds` };
}
