// The tables and ratio lines of `npm run bench:services`, from the figures of the WebDAV and proxy parts.
import { ms, perSecond, ratio, type Section } from './report-table.ts';
import type { ProxyFigures } from './services-proxy.ts';
import { CONNECTIONS, RUNS, SMALL_GETS, type Transfer, type WebdavFigures } from './services-webdav.ts';

const mbPerSecond = (value: number): string => `${value.toFixed(0)} MB/s`;
const runsOf = (transfer: Transfer): string => transfer.runs.map((value) => value.toFixed(0)).join(', ');

export function bigFileSection({ big }: WebdavFigures): Section {
  const row = (transfer: Transfer, sameMethod: Transfer) => [transfer.label, mbPerSecond(transfer.median), runsOf(transfer), ratio(transfer.median, big.plainGet.median), ratio(transfer.median, sameMethod.median)];
  return {
    title: `1. WebDAV: one 100 MB file over HTTPS, one connection (median of ${RUNS} rounds after a warm-up; MB = 2^20 bytes)`,
    headers: ['', 'median', 'runs (MB/s)', 'vs plain GET', 'vs plain, same method'],
    rows: [row(big.webdavGet, big.plainGet), row(big.webdavPut, big.plainPut), row(big.plainGet, big.plainGet), row(big.plainPut, big.plainPut)],
    notes: [
      'WebDAV: the module\'s apache2.conf (mpm_event, mod_ssl, mod_dav_fs) as cloudy-webdav, share with a bcrypt user (cost 8).',
      'Plain: a bare node:https server with the same certificate streaming the same file from disk (PUT: to a file).',
      'Client: curl (HTTP/1.1, OpenSSL) inside the same network namespace, over its loopback; page cache warm.',
      'In sections 1 and 2 the rows take turns in each round, so a change in the machine\'s load reaches all of them.',
    ],
  };
}

export function parallelSection(webdav: WebdavFigures): Section {
  const { parallel } = webdav;
  const row = (transfer: Transfer) => [transfer.label, mbPerSecond(transfer.median), runsOf(transfer), ratio(transfer.median, parallel.plain.median)];
  return {
    title: `2. WebDAV: 1 MB GETs at ${CONNECTIONS} connections (${SMALL_GETS} GETs a run, aggregate, median of ${RUNS} rounds after a warm-up)`,
    headers: ['', 'aggregate', 'runs (MB/s)', 'vs plain'],
    rows: [row(parallel.plain), row(parallel.webdavPublic), row(parallel.webdavLogin)],
    notes: [
      `Client: one curl --parallel --parallel-max ${CONNECTIONS} (keep-alive, HTTP/1.1), timed from outside; connections it opened per run (warm-ups included): ${parallel.connectionsOpened.join(', ')}.`,
      'Basic auth sends the password with every request and apache checks the bcrypt hash every time (no credential cache).',
      ...webdav.warmupFailures.map((failure) => `warm-up failed once (then passed): ${failure}`),
    ],
  };
}

export function proxySection(proxy: ProxyFigures): Section {
  const { direct } = proxy;
  return {
    title: `3. Proxy: ${proxy.bodyBytes / 1024} KB GETs over HTTP, autocannon, ${proxy.shape}`,
    headers: ['', 'requests', 'rounds (req/s)', 'vs direct', 'p50', 'vs direct', 'p99', 'vs direct', 'CPU/req', 'of', 'failures'],
    rows: proxy.rows.map(({ label, load, rounds, cpuOf }) => [
      label, perSecond(load.requestsPerSecond), rounds.map((round) => Math.round(round.requestsPerSecond)).join(', '),
      ratio(load.requestsPerSecond, direct.requestsPerSecond), ms(load.p50Ms), ratio(load.p50Ms, direct.p50Ms),
      ms(load.p99Ms), ratio(load.p99Ms, direct.p99Ms), `${Math.round(load.serverCpuMicrosPerRequest)} µs`, cpuOf, load.failures,
    ]),
    notes: [
      'squid: the proxy3 module\'s squid.conf (manifest defaults: 64 MB memory cache, no disk cache) and argv (squid -N, one process), as cloudy-proxy3.',
      'Origin: node:http in one lab host, squid in another; autocannon runs in this process and reaches both over the lab bridge.',
      'Through squid, requests carry the absolute URI (GET http://origin/… HTTP/1.1). CPU/req: utime + stime ÷ requests of that process only.',
      'Figures are medians of the rounds (the rows take turns in each round); ratios are of the medians.',
    ],
  };
}

/** The figures as ratio lines: Cloudy's module over the baseline measured in this run. */
export function ratioLines(webdav: WebdavFigures, proxy: ProxyFigures): string[] {
  const { big, parallel } = webdav;
  const [, forwarded, hit, login] = proxy.rows;
  const proxyLine = (row: typeof forwarded) =>
    `  ${row!.label}: requests/s ${ratio(row!.load.requestsPerSecond, proxy.direct.requestsPerSecond)}, p99 ${ratio(row!.load.p99Ms, proxy.direct.p99Ms)} of direct`;
  return [
    'Ratios (module ÷ baseline of this run):',
    `  WebDAV GET 100 MB ÷ plain HTTPS download: ${ratio(big.webdavGet.median, big.plainGet.median)}`,
    `  WebDAV PUT 100 MB ÷ plain HTTPS download: ${ratio(big.webdavPut.median, big.plainGet.median)} (÷ plain HTTPS upload: ${ratio(big.webdavPut.median, big.plainPut.median)})`,
    `  WebDAV at ${CONNECTIONS} connections ÷ plain HTTPS: ${ratio(parallel.webdavLogin.median, parallel.plain.median)} with login, ${ratio(parallel.webdavPublic.median, parallel.plain.median)} on a public share`,
    ...[forwarded, hit, login].map(proxyLine),
  ];
}
