// Which peers a member opens meta-connections to: a few, not all (a full mesh of tinc 1.0 connections does not scale).
import { createHash } from 'node:crypto';

/** tinc 1.0 has no AutoConnect: every node needs several outgoing links so one death cuts no one off (DESIGN §5). */
export const CONNECT_TO_FANOUT = 3;

export interface ConnectCandidate {
  name: string;
  /** Only peers with a known endpoint can be connected to. */
  reachable: boolean;
  /** The server's own node: always-on, a good first hop. */
  hub: boolean;
}

const weight = (self: string, peer: string) => createHash('sha256').update(`${self}\n${peer}`).digest().readUInt32BE(0);

/**
 * The hub (when it has an endpoint) plus the others with the highest rendezvous weight for this member: stable as
 * members come and go (only the members whose top picks changed get new lines), and spread evenly across nodes.
 */
export function chooseConnectTo(self: string, candidates: ConnectCandidate[], fanout = CONNECT_TO_FANOUT): string[] {
  const usable = candidates.filter((candidate) => candidate.reachable && candidate.name !== self);
  const hubs = usable.filter((candidate) => candidate.hub).map((candidate) => candidate.name);
  const others = usable
    .filter((candidate) => !candidate.hub)
    .map((candidate) => candidate.name)
    .sort((a, b) => weight(self, b) - weight(self, a) || a.localeCompare(b));
  return [...hubs, ...others].slice(0, fanout);
}
