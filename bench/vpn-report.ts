// Turns the VPN bench's figures into tables and a one-line summary.
import os from 'node:os';

import type { CloudyVpn } from './vpn-join.ts';
import { gbits, percent, seconds } from './vpn-measure.ts';
import type { PlainPair } from './vpn-plain-tinc.ts';
import { RUN_SECONDS, RUNS, type ThroughputResult } from './vpn-throughput.ts';
import { mb, median, ratio, type Section } from './report-table.ts';

export const JOIN_GOAL_MS = 5_000;

export interface Memory {
  server: number;
  member: number;
  plainChosen: number;
  plainDefault: number;
}

export interface VpnFigures {
  vpn: CloudyVpn;
  pairs: PlainPair[];
  /** In this order: raw, Cloudy overlay, then one per plain pair. */
  throughput: ThroughputResult[];
  memory: Memory;
  /** Share of all CPUs busy while the lab sat idle before section 2 (its own idle nodes and anything else on the machine). */
  idleBusy: number;
}

function timeRow(label: string, samples: number[], baseline: number[]) {
  return [label, seconds(median(samples)), seconds(Math.max(...samples)), samples.map((sample) => seconds(sample)).join(', '), ratio(median(samples), median(baseline))];
}

export function joinSection({ vpn, pairs }: VpnFigures): Section {
  const firstPing = vpn.joins.map((join) => join.firstPingMs);
  const plainStart = pairs.map((pair) => pair.firstPingMs);
  const worst = Math.max(...firstPing);
  return {
    title: `1. \`cloudy vpn join URL TOKEN\` → first ping answered by the server's overlay address, from the member's host (${vpn.joins.length} members, one after another)`,
    headers: ['', 'median', 'max', 'runs', 'vs plain tincd'],
    rows: [
      timeRow('Cloudy: join → first overlay ping', firstPing, plainStart),
      timeRow('Cloudy: join → the command returned', vpn.joins.map((join) => join.commandMs), plainStart),
      timeRow('baseline: 2 plain tincd, files ready → first ping', plainStart, plainStart),
      timeRow('baseline: `cloudy status` (CLI start + 1 API call)', vpn.cliStatusMs, plainStart),
    ],
    notes: [
      `goal ≤ ${seconds(JOIN_GOAL_MS)}: ${worst <= JOIN_GOAL_MS ? `met by every run (max ${seconds(worst)})` : `not met: max ${seconds(worst)}`}.`,
      'The clock starts when the bench spawns the command; the member pings every 20 ms (0.3 s timeout each) meanwhile.',
      'A join generates the key (tincd -K 2048), enrols over HTTPS, writes the files, starts tincd and waits for a peer; the plain baseline has keys and files ready.',
      `Plain tincd runs: one per setting of section 2 (${pairs.length}).`,
    ],
  };
}

export function throughputSection({ vpn, pairs, throughput, idleBusy }: VpnFigures): Section {
  const [raw, cloudy, ...plain] = throughput as [ThroughputResult, ThroughputResult, ...ThroughputResult[]];
  const chosen = plain[0]!;
  const row = (result: ThroughputResult) => [result.label, gbits(result.median), result.runs.map((run) => run.toFixed(2)).join(', '), percent(result.median, raw.median), ratio(result.median, chosen.median)];
  return {
    title: `2. TCP throughput with iperf3, median of ${RUNS} runs × ${RUN_SECONDS} s per cell, cells taking turns`,
    headers: ['path', 'median', 'runs (Gbit/s)', 'of raw', 'vs Cloudy settings'],
    rows: [row(raw), row(cloudy), ...plain.map(row)],
    notes: [
      `raw: ${vpn.members[0]!.host.name} → ${vpn.members[1]!.host.name} over their community addresses (veth + bridge); Cloudy: the same two members over their overlay addresses (${vpn.memberOverlay[0]} → ${vpn.memberOverlay[1]}).`,
      `plain: two tincd per setting in two lab hosts each (${pairs.map((pair) => `${pair.client.name}→${pair.server.name}`).join(', ')}), router mode, files written by the bench.`,
      `All tincd and iperf3 share the machine's ${os.cpus().length} CPUs: tinc is CPU-bound here, so the figures compare settings, not real links.`,
      `Before this section, with the lab idle, the machine's CPUs were ${(100 * idleBusy).toFixed(0)} % busy (the idle Cloudy nodes and whatever else runs on the machine); CPU time others take is missing from every tinc cell.`,
    ],
  };
}

export function memorySection({ vpn, memory }: VpnFigures): Section {
  return {
    title: '3. Idle RSS of tincd (VmRSS from /proc/<pid>/status; Cloudy\'s PIDs from `cloudy vpn status --json`)',
    headers: ['tincd', 'VmRSS', 'vs plain tincd (Cloudy settings)'],
    rows: [
      [`Cloudy: server ${vpn.server.host.name} (${vpn.members.length} members connected)`, mb(memory.server), ratio(memory.server, memory.plainChosen)],
      [`Cloudy: member ${vpn.members[0]!.host.name}`, mb(memory.member), ratio(memory.member, memory.plainChosen)],
      ['baseline: plain tincd, Cloudy settings, 1 peer', mb(memory.plainChosen), ratio(memory.plainChosen, memory.plainChosen)],
      ['baseline: plain tincd, tinc defaults, 1 peer', mb(memory.plainDefault), ratio(memory.plainDefault, memory.plainChosen)],
    ],
  };
}

export function summaryLine({ vpn, throughput, memory }: VpnFigures): string {
  const [raw, cloudy, chosen, defaults, lzo] = throughput as ThroughputResult[];
  const firstPing = vpn.joins.map((join) => join.firstPingMs);
  const secure = throughput.slice(2, 5).reduce((best, result) => (result.median > best.median ? result : best));
  return [
    `join → first overlay ping ${seconds(median(firstPing))} median, ${seconds(Math.max(...firstPing))} max (goal ≤ ${seconds(JOIN_GOAL_MS)})`,
    `overlay ${gbits(cloudy!.median)} = ${percent(cloudy!.median, raw!.median)} of raw ${gbits(raw!.median)}`,
    `plain ${gbits(chosen!.median)} with Cloudy's settings vs ${ratio(defaults!.median, chosen!.median)} defaults, ${ratio(lzo!.median, chosen!.median)} LZO (fastest encrypted: ${secure === chosen ? "Cloudy's" : secure.label})`,
    `tincd idle ${mb(memory.server)} server, ${mb(memory.member)} member`,
  ].join('; ');
}
