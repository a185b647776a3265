// Section 4: idle RSS of a lab node's cloudyd and serf agent with discovery on, beside a peerless serf agent and a bare node.
import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { NodeState } from '../test/support/cloudy-node.ts';
import { freeSerfPort, startSerfAgent } from '../test/support/serf-agent.ts';
import { onCleanup } from './bench-cleanup.ts';
import type { BenchLab } from './discovery-lab.ts';
import { progress, rssMb, sleep } from './discovery-measure.ts';
import { serfPid } from './discovery-search.ts';
import { startIdleNode } from './timed-start.ts';

export const IDLE_MS = 10_000;

export interface MemoryFigures {
  cloudyd: number;
  helper: number;
  serf: number;
  plainSerf: number;
  bareNode: number;
}

/** Starts the baselines, leaves everything idle for IDLE_MS, then reads VmRSS of each. */
export async function measureIdleMemory(bench: BenchLab): Promise<MemoryFigures> {
  const [bindPort, rpcPort] = [await freeSerfPort(), await freeSerfPort()];
  const plain = await startSerfAgent({ name: 'bench-idle', bind: `127.0.0.1:${bindPort}`, rpcPort });
  onCleanup(() => plain.stop());
  const bare = startIdleNode();
  progress(`memory: idle for ${IDLE_MS / 1000} s`);
  await sleep(IDLE_MS);
  const state = JSON.parse(readFileSync(path.join(bench.h1.root, 'run/cloudy/node.json'), 'utf8')) as NodeState;
  const figures = { cloudyd: rssMb(state.cloudydPid), helper: rssMb(state.helperPid), serf: rssMb(serfPid(bench.h1.root)), plainSerf: rssMb(plain.pid), bareNode: rssMb(bare.pid) };
  await plain.stop();
  return figures;
}
