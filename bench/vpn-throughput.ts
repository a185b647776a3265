// Section 2 of the VPN bench: TCP throughput with iperf3, raw veth against tinc overlays, all cells in one run.
// The cells take turns (round 1 of every cell, then round 2, …), so a machine getting busier or quieter during the
// run shifts every cell alike instead of whichever came last.
import { setTimeout as sleep } from 'node:timers/promises';

import { median } from './report-table.ts';
import type { Lab, LabHost, LabProcess } from '../test/support/netns-lab.ts';
import { iperfGbits, progress } from './vpn-measure.ts';

export const RUNS = 3;
export const RUN_SECONDS = 4;
const WARMUP_SECONDS = 1;
const FIRST_PORT = 5301;

export interface ThroughputCell {
  label: string;
  client: LabHost;
  server: LabHost;
  address: string;
}

export interface ThroughputResult {
  label: string;
  runs: number[];
  median: number;
}

/** One iperf3 server per cell (its own port); a short warm-up run per cell, unrecorded, also waits for the server. */
export async function measureThroughput(lab: Lab, cells: ThroughputCell[]): Promise<ThroughputResult[]> {
  const servers: LabProcess[] = cells.map((cell, index) => lab.spawn(cell.server, ['iperf3', '-s', '-B', cell.address, '-p', String(FIRST_PORT + index)]));
  try {
    for (const [index, cell] of cells.entries()) {
      for (let attempt = 1; ; attempt++) {
        try {
          await iperfGbits(lab, cell.client, cell.address, FIRST_PORT + index, WARMUP_SECONDS);
          break;
        } catch (error) {
          if (attempt >= 20) throw new Error(`${(error as Error).message}\n${servers[index]!.output()}`);
          await sleep(250);
        }
      }
    }
    const runs: number[][] = cells.map(() => []);
    for (let round = 1; round <= RUNS; round++) {
      progress(`throughput: round ${round}/${RUNS} of ${cells.length} cells × ${RUN_SECONDS} s`);
      for (const [index, cell] of cells.entries()) runs[index]!.push(await iperfGbits(lab, cell.client, cell.address, FIRST_PORT + index, RUN_SECONDS));
    }
    return cells.map((cell, index) => ({ label: cell.label, runs: runs[index]!, median: median(runs[index]!) }));
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
}
