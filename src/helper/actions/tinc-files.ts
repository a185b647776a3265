// The tinc 1.0 files of one network, rendered from a member list that has passed the schema and the checks below.
// Every value that lands in a file is a name, address, port or key matched by a strict pattern: a newline, `../`
// or a second `Subnet` line cannot get through.
import { Value } from '@sinclair/typebox/value';

import { NetworkState, type TincPeer, type VpnMode } from '../../shared/vpn-contract.ts';

/**
 * Chosen by measurement (docs/vpn.md; DESIGN §5): no compression (it only costs CPU on community links that are
 * faster than tinc itself), a CBC cipher (tinc 1.0's CTR and ChaCha modes collapse on packet loss).
 */
export const TINC_CIPHER = 'aes-128-cbc';
export const TINC_DIGEST = 'sha256';
export const TINC_COMPRESSION = 0;

export interface TincFiles {
  'tinc.conf': string;
  'tinc-up': string;
  'tinc-down': string;
  /** hosts/<name> for this node and every peer. */
  hosts: Record<string, string>;
}

export interface OwnSettings {
  port: number;
  publicKey: string;
  /** Where this node's tincd listens, when known to the server. */
  endpointHost?: string;
}

const ipToInt = (address: string) => address.split('.').reduce((value, octet) => value * 256 + Number(octet), 0);

/** Throws with the first reason the member list cannot be written; nothing is written then. */
export function checkNetworkState(state: unknown): asserts state is NetworkState {
  if (!Value.Check(NetworkState, state)) {
    const first = Value.Errors(NetworkState, state).First();
    throw new Error(`member list ${first?.path || '/'}: ${first?.message ?? 'not valid'}`);
  }
  const [base, bits] = state.network.subnet.split('/') as [string, string];
  const size = 2 ** (32 - Number(bits));
  const inside = (address: string) => ipToInt(address) > ipToInt(base) && ipToInt(address) < ipToInt(base) + size - 1;
  if (ipToInt(base) % size !== 0) throw new Error(`member list: ${state.network.subnet} is not a network address`);
  const names = new Set<string>([state.self.name]);
  const addresses = new Set<string>([state.self.address]);
  if (!inside(state.self.address)) throw new Error(`member list: own address ${state.self.address} is outside ${state.network.subnet}`);
  for (const peer of state.peers) {
    if (names.has(peer.name)) throw new Error(`member list: the name ${peer.name} appears twice`);
    if (addresses.has(peer.address)) throw new Error(`member list: the address ${peer.address} appears twice`);
    if (!inside(peer.address)) throw new Error(`member list: ${peer.name}'s address ${peer.address} is outside ${state.network.subnet}`);
    names.add(peer.name);
    addresses.add(peer.address);
  }
  for (const name of state.connectTo) {
    if (!state.peers.some((peer) => peer.name === name)) throw new Error(`member list: ConnectTo ${name} is not a peer`);
  }
}

function hostFile(mode: VpnMode, address: string, publicKey: string, endpoint?: { host: string; port: number }, port?: number): string {
  const lines = [
    ...(endpoint ? [`Address = ${endpoint.host} ${endpoint.port}`] : []),
    ...(port ? [`Port = ${port}`] : []),
    // In switch mode tinc learns MAC addresses; Subnet lines are for router mode only.
    ...(mode === 'router' ? [`Subnet = ${address}/32`] : []),
    `Cipher = ${TINC_CIPHER}`,
    `Digest = ${TINC_DIGEST}`,
    `Compression = ${TINC_COMPRESSION}`,
  ];
  return `${lines.join('\n')}\n\n${publicKey.trim()}\n`;
}

export function renderTincFiles(state: NetworkState, own: OwnSettings): TincFiles {
  checkNetworkState(state);
  const { mode, name: network, subnet } = state.network;
  const prefix = subnet.split('/')[1];
  const conf = [
    '# Written by Cloudy from the VPN server’s member list; edits are overwritten.',
    `Name = ${state.self.name}`,
    `Mode = ${mode}`,
    `Interface = ${network}`,
    'AddressFamily = ipv4',
    `Port = ${own.port}`,
    'PingInterval = 30',
    'PingTimeout = 5',
    // Only the Subnets in our own hosts/ files count: a member cannot claim another's address, and a revoked
    // member's address stops being routed as soon as its file is gone.
    ...(mode === 'router' ? ['StrictSubnets = yes'] : []),
    ...state.connectTo.map((peer) => `ConnectTo = ${peer}`),
  ];
  const up = [
    '#!/bin/sh',
    '# Written by Cloudy.',
    `ip -4 addr replace ${state.self.address}/${prefix} dev "$INTERFACE"`,
    // Switch mode: the first ARP request leaves before the mesh is up; retry after 100 ms, not the kernel's 1 s.
    ...(mode === 'switch' ? ['echo 100 > "/proc/sys/net/ipv4/neigh/$INTERFACE/retrans_time_ms" || true'] : []),
    'ip link set "$INTERFACE" up',
  ];
  const down = ['#!/bin/sh', '# Written by Cloudy.', `ip -4 addr del ${state.self.address}/${prefix} dev "$INTERFACE" || true`, 'ip link set "$INTERFACE" down'];
  const ownEndpoint = own.endpointHost ? { host: own.endpointHost, port: own.port } : undefined;
  const hosts: Record<string, string> = { [state.self.name]: hostFile(mode, state.self.address, own.publicKey, ownEndpoint, own.port) };
  for (const peer of state.peers as TincPeer[]) hosts[peer.name] = hostFile(mode, peer.address, peer.publicKey, peer.endpoint);
  return { 'tinc.conf': `${conf.join('\n')}\n`, 'tinc-up': `${up.join('\n')}\n`, 'tinc-down': `${down.join('\n')}\n`, hosts };
}
