// Section 1 of the VPN bench: a Cloudy VPN server and members, each a full node in a lab host, started the real way;
// each member joins with `cloudy vpn join URL TOKEN`, timed to its first ping answered by the server's overlay address.
import type { TokenCreated, VpnStatus } from '../src/shared/vpn-contract.ts';
import type { LabNode } from '../test/support/lab-node.ts';
import type { Lab } from '../test/support/netns-lab.ts';
import { firstPing, progress } from './vpn-measure.ts';

export const NETWORK = 'benchnet';
const SUBNET = '10.99.0.0/24';
const JOIN_TIMEOUT_MS = 60_000;
const CLI_BASELINE_RUNS = 3;

export interface JoinSample {
  member: string;
  /** From spawning `cloudy vpn join` to the first ping the server's overlay address answered, from the member's host. */
  firstPingMs: number;
  /** From spawning `cloudy vpn join` to its exit (it waits for the first peer to answer). */
  commandMs: number;
}

export interface CloudyVpn {
  server: LabNode;
  members: LabNode[];
  serverOverlay: string;
  /** Overlay address (without prefix) of each member, in `members` order. */
  memberOverlay: string[];
  joins: JoinSample[];
  /** `cloudy --json status` on a member: CLI start + one API call, the floor under any `cloudy` command. */
  cliStatusMs: number[];
}

const overlayOf = (status: VpnStatus) => status.address!.split('/')[0]!;

async function timedJoin(lab: Lab, node: LabNode, token: TokenCreated, serverOverlay: string): Promise<JoinSample> {
  const stop = new AbortController();
  const started = performance.now();
  const command = node.run('--json', 'vpn', 'join', token.url, token.token).then((result) => ({ result, ended: performance.now() }));
  const pinging = firstPing(lab, node.host, serverOverlay, JOIN_TIMEOUT_MS, stop.signal);
  const { result, ended } = await command;
  const operation = (() => {
    try {
      return JSON.parse(result.stdout) as { state?: string; error?: string | null };
    } catch {
      return {};
    }
  })();
  if (result.code !== 0 || operation.state !== 'completed') {
    stop.abort();
    await pinging.catch(() => undefined);
    throw new Error(`cloudy vpn join on ${node.host.name} failed: ${operation.error ?? result.stderr.trim()}`);
  }
  const answered = await pinging;
  return { member: node.host.name, firstPingMs: answered - started, commandMs: ended - started };
}

/** hosts[0] runs the network (and is its first member); the others join one after another with one token. */
export async function measureJoins(lab: Lab, nodes: LabNode[]): Promise<CloudyVpn> {
  const [server, ...members] = nodes as [LabNode, ...LabNode[]];
  await server.cli('vpn-server', 'network', 'create', NETWORK, '--subnet', SUBNET);
  const serverOverlay = overlayOf(await server.cli<VpnStatus>('vpn', 'status'));
  const token = await server.cli<TokenCreated>('vpn-server', 'token', 'create', NETWORK, '--uses', String(members.length), '--expires', '1h');
  const cliStatusMs: number[] = [];
  for (let run = 0; run < CLI_BASELINE_RUNS; run++) {
    const started = performance.now();
    await members[0]!.cli('status');
    cliStatusMs.push(performance.now() - started);
  }
  const joins: JoinSample[] = [];
  const memberOverlay: string[] = [];
  for (const member of members) {
    progress(`join: ${member.host.name} joins ${NETWORK}`);
    joins.push(await timedJoin(lab, member, token, serverOverlay));
    memberOverlay.push(overlayOf(await member.cli<VpnStatus>('vpn', 'status')));
  }
  return { server, members, serverOverlay, memberOverlay, joins, cliStatusMs };
}

/** The PID of the tincd a node's supervisor runs for the network, from `cloudy vpn status --json`. */
export async function tincdPid(node: LabNode): Promise<number> {
  const status = await node.cli<VpnStatus>('vpn', 'status');
  if (typeof status.tincdPid !== 'number') throw new Error(`${node.host.name}: tincd is ${status.tincd}, no PID`);
  return status.tincdPid;
}
