// The lab of sections 2–4: hosts on one bridge the bench can reach, Cloudy nodes on h1 and h2 (joined), plain serf agents on others.
import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { Publication, ServiceRecord } from '../src/shared/discovery-contract.ts';
import { installFromMirror, type LabNode, removeRoots, startLabNode } from '../test/support/lab-node.ts';
import { createLab, type Lab, type LabHost } from '../test/support/netns-lab.ts';
import { PanelSession } from '../test/support/panel-session.ts';
import { type SerfAgent, startSerfAgent } from '../test/support/serf-agent.ts';
import { onCleanup } from './bench-cleanup.ts';
import { pollUntil, progress, timed } from './discovery-measure.ts';

export const SERF_PORT = 7946;
const PLAIN_RPC_PORT = 7373;

export interface BenchLab {
  lab: Lab;
  h1: LabNode;
  h2: LabNode;
  /** Administrator sessions on h1's and h2's HTTPS API, from the bench process over the bridge. */
  s1: PanelSession;
  s2: PanelSession;
}

async function adminSession(node: LabNode): Promise<PanelSession> {
  const session = new PanelSession(`https://${node.host.address}:7443`);
  const reply = await session.setup(readFileSync(path.join(node.root, 'etc/cloudy/setup-code'), 'utf8').trim());
  if (reply.status !== 200) throw new Error(`setup on ${node.host.name} answered ${reply.status}: ${JSON.stringify(reply.body)}`);
  return session;
}

/** Status of a node's discovery, through its API. */
export async function discoveryStatus(session: PanelSession): Promise<any> {
  const { status, body } = await session.request('GET', '/api/discovery/status');
  if (status !== 200) throw new Error(`GET /api/discovery/status answered ${status}`);
  return body;
}

/** Creates the lab and starts nodes on h1 and h2; h2 joins h1 over Serf. Both backends run when this returns. */
export async function startBenchLab(hostCount: number): Promise<BenchLab> {
  // Lab hosts cannot reach Debian's mirror; serf is installed machine-wide first, so each node's helper finds it.
  installFromMirror('serf');
  const lab = await createLab(hostCount, { reachableFromHost: true });
  const nodes: LabNode[] = [];
  onCleanup(async () => {
    await lab.destroy();
    await removeRoots(nodes);
  });
  progress(`lab: ${hostCount} hosts; starting Cloudy nodes on h1 and h2`);
  nodes.push(...(await Promise.all([startLabNode(lab, lab.hosts[0]!), startLabNode(lab, lab.hosts[1]!)])));
  const [h1, h2] = nodes as [LabNode, LabNode];
  const [s1, s2] = await Promise.all([adminSession(h1), adminSession(h2)]);
  await h2.cli('discovery', 'configure', `joinAddresses=${h1.host.address}:${SERF_PORT}`);
  const ready = await pollUntil(async () => {
    const [one, two] = await Promise.all([discoveryStatus(s1), discoveryStatus(s2)]);
    const running = [one, two].every((status) => status.backends.serf.state === 'running' && status.backends.mdns.state === 'running');
    return running && two.members.some((member: { status: string; cloudy: boolean }) => member.status === 'alive' && member.cloudy) ? true : undefined;
  }, 250, 120_000);
  if (!ready) throw new Error(`the lab nodes did not both run mDNS and Serf with h2 joined to h1: ${JSON.stringify(await discoveryStatus(s2))}`);
  return { lab, h1, h2, s1, s2 };
}

/**
 * Publishes by hand through a node's API (the request `cloudy publish` sends). `listed`: the answer already lists the
 * new record as published (false when the request joined a health evaluation that began before it was saved).
 */
export async function publishOn(session: PanelSession, type: string, port: number, description: string): Promise<{ ms: number; listed: boolean }> {
  const { ms, value } = await timed(() => session.request<Publication[]>('POST', '/api/discovery/publications', { description, type, port, txt: { round: type } }));
  if (value.status !== 201) throw new Error(`publishing ${type} answered ${value.status}: ${JSON.stringify(value.body)}`);
  return { ms, listed: value.body.some((publication) => publication.type === type && publication.port === port && publication.published) };
}

/** h1's record of `type`/`port` in the watcher's search, or undefined. */
export async function findRecord(session: PanelSession, type: string, port: number, nodeName: string): Promise<ServiceRecord | undefined> {
  const { status, body } = await session.request<{ records: ServiceRecord[] }>('GET', `/api/discovery/services?type=${type}&limit=100`);
  if (status !== 200) throw new Error(`search answered ${status}`);
  return body.records.find((record) => record.port === port && record.node === nodeName);
}

/** A plain `serf agent` on each host, RPC on the host's lab address (reachable from the bench), joining `join`. */
export async function startPlainAgents(lab: Lab, hosts: LabHost[], join: string): Promise<SerfAgent[]> {
  return Promise.all(
    hosts.map(async (host) => {
      const agent = await startSerfAgent({
        name: `${host.name}-plain`,
        bind: `${host.address}:${SERF_PORT}`,
        rpcPort: PLAIN_RPC_PORT,
        rpcAddress: host.address,
        join: [join],
        spawnIn: (argv) => lab.spawn(host, argv),
        startTimeoutMs: 30_000,
      });
      onCleanup(() => agent.stop());
      return agent;
    }),
  );
}
