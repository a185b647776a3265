// Peers that fill a node's cache the real way: a plain serf agent each, with Cloudy tags, and its list served over HTTPS.
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';

import { certificatePin, PEER_PROTOCOL, type PeerService, servicesDigest } from '../src/daemon/discovery/peer-document.ts';
import { type SerfAgent, startSerfAgent } from '../test/support/serf-agent.ts';
import { onCleanup } from './bench-cleanup.ts';
import type { TlsFiles } from './timed-start.ts';

/** Spread over this many types: the cache holds at most 5,000 records of one type (CACHE_LIMITS.perType). */
export const BENCH_TYPES = 40;
const MICROCLOUD = 'bench';

export interface FakePeer {
  name: string;
  nodeId: string;
  records: number;
  agent: SerfAgent;
  server: https.Server;
}

/** `count` services of peer `index`: distinct (type, port) pairs, a description and one TXT entry each, like a real list. */
function servicesOf(index: number, count: number): PeerService[] {
  return Array.from({ length: count }, (_, slot) => ({
    type: `bench${(index * 7 + slot) % BENCH_TYPES}`,
    description: `Bench service ${slot} of peer ${index}`,
    port: 20_000 + slot,
    txt: { path: `/share/${slot}`, peer: String(index) },
  }));
}

/** What peer `index` answers on GET /peer/v1/services, exactly as a Cloudy node would. */
export function fakePeerDocument(index: number, records: number) {
  const node = `bench-peer-${index}`;
  const services = servicesOf(index, records);
  return { protocol: PEER_PROTOCOL, nodeId: `BENCHPEER${String(index).padStart(6, '0')}`, node, microcloud: MICROCLOUD, digest: servicesDigest(node, MICROCLOUD, services), coordinate: null, services };
}

async function servePeerList(document: ReturnType<typeof fakePeerDocument>, tls: { key: Buffer; cert: Buffer }): Promise<https.Server> {
  const body = JSON.stringify(document);
  const server = https.createServer(tls, (_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onCleanup(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return server;
}

/** Ports handed out (or found busy) in this run, reserved before the check so concurrent callers never share one. */
const taken = new Set<number>();

/** A loopback port below the kernel's ephemeral range (so no outgoing connection takes it meanwhile), free for TCP and UDP. */
async function quietPort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (taken.has(port)) continue;
    taken.add(port);
    if (await portIsFree(port)) return port;
  }
}

async function portIsFree(port: number): Promise<boolean> {
  const tcp = net.createServer();
  const tcpFree = await new Promise<boolean>((resolve) => {
    tcp.once('error', () => resolve(false));
    tcp.listen(port, '127.0.0.1', () => resolve(true));
  });
  const udp = dgram.createSocket('udp4');
  const udpFree = await new Promise<boolean>((resolve) => {
    udp.once('error', () => resolve(false));
    udp.bind(port, '127.0.0.1', () => resolve(true));
  });
  await Promise.all([new Promise((resolve) => (tcpFree ? tcp.close(resolve) : resolve(undefined))), new Promise((resolve) => udp.close(() => resolve(undefined)))]);
  return tcpFree && udpFree;
}

/** Other processes on the machine (tests running beside the bench) may take a port between check and bind: try again. */
async function startAgentRetrying(options: { name: string; join: string[]; tags: Record<string, string> }): Promise<SerfAgent> {
  for (let attempt = 1; ; attempt++) {
    const [bindPort, rpcPort] = [await quietPort(), await quietPort()];
    try {
      return await startSerfAgent({ ...options, bind: `127.0.0.1:${bindPort}`, rpcPort, startTimeoutMs: 30_000 });
    } catch (error) {
      if (attempt >= 3 || !/address already in use/.test((error as Error).message)) throw error;
    }
  }
}

/**
 * Starts one fake peer per entry of `recordCounts` (at most 256 each, the node's per-peer cap), all joining `joinAddress`.
 * Each has its own HTTPS port in this process, because a node fetches `https://<member address>:<port from tags>`.
 */
export async function startFakePeers(firstIndex: number, recordCounts: number[], joinAddress: string, tlsFiles: TlsFiles): Promise<FakePeer[]> {
  const tls = { key: readFileSync(tlsFiles.keyFile), cert: readFileSync(tlsFiles.certFile) };
  const pin = certificatePin(tls.cert);
  const servers = await Promise.all(recordCounts.map((records, offset) => servePeerList(fakePeerDocument(firstIndex + offset, records), tls)));
  return Promise.all(
    recordCounts.map(async (records, offset) => {
      const document = fakePeerDocument(firstIndex + offset, records);
      const server = servers[offset]!;
      const agent = await startAgentRetrying({
        name: document.node,
        join: [joinAddress],
        tags: { cy: `1 ${(server.address() as AddressInfo).port} ${document.digest} ${records}`, fp: pin, mc: MICROCLOUD },
      });
      onCleanup(() => agent.stop());
      return { name: document.node, nodeId: document.nodeId, records, agent, server };
    }),
  );
}
