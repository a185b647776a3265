// The 2015 getinconf protocol, for getinconf-client nodes that cannot be upgraded (opt-in per network): the request
// path and multipart key as agustim/getinconf-client sent them, and the shell script agustim/getinconf's
// genscript.ctp answered, which the client runs as root. Every value put into the script has passed a strict
// pattern first (names [A-Za-z0-9_], IPv4 addresses, ports, base64 key lines), so nothing in it can break out
// of its line or its heredoc.
import { createHash } from 'node:crypto';

import { IPV4_PATTERN, RSA_PUBLIC_KEY_PATTERN, TINC_NODE_NAME_PATTERN, type NetworkState } from '../../shared/vpn-contract.ts';

/** 665 was the 2015 client's "default" marker (tinc's real default is 655): such a Port line was left out. */
const LEGACY_DEFAULT_PORT = 665;
const TINC_DEFAULT_PORT = 655;

export interface LegacyRequest {
  hash: string;
  network: string;
  /** Upper case, colons. */
  mac: string;
  name: string | null;
  /** Where the node's tincd is reachable, or null behind NAT (the client sends 0). */
  address: string | null;
  /** The port tincd really listens on. */
  port: number;
  /** The line-oriented Port value the 2015 script writes (absent when the client said 665). */
  portLine: number | null;
  allConfig: boolean;
}

export class LegacyRequestError extends Error {
  override name = 'LegacyRequestError';
}

/** Validates the path segments after `/nodes/get2/`; throws with the first one that is not what a 2015 client sends. */
export function parseLegacyPath(segments: string[]): LegacyRequest {
  if (segments.length < 3 || segments.length > 7) throw new LegacyRequestError('expected /nodes/get2/<hash>/<network>/<MAC>[/<name>/<ip>/<port>/<allconfig>]');
  const [hash, network, macDashes, name, internalIp = '0', portText = String(LEGACY_DEFAULT_PORT), allConfig = '0'] = segments;
  if (!hash || !/^[0-9a-f]{32}$/.test(hash)) throw new LegacyRequestError('the node hash is not an md5 hex digest');
  if (!network || !/^[a-z][a-z0-9_]{0,14}$/.test(network)) throw new LegacyRequestError('the network name is not valid');
  if (!macDashes || !/^[0-9A-Fa-f]{2}(-[0-9A-Fa-f]{2}){5}$/.test(macDashes)) throw new LegacyRequestError('the MAC address is not six hex pairs joined by -');
  // The 2015 server turned - and . into _ ; anything else outside tinc's alphabet is refused.
  const fixedName = name ? name.replace(/[-.]/g, '_') : null;
  if (fixedName !== null && !new RegExp(TINC_NODE_NAME_PATTERN).test(fixedName)) throw new LegacyRequestError('the node name may hold only letters, digits, - . and _');
  if (internalIp !== '0' && !new RegExp(IPV4_PATTERN).test(internalIp)) throw new LegacyRequestError('the address is neither 0 nor an IPv4 address');
  if (!/^[1-9][0-9]{0,4}$/.test(portText) || Number(portText) > 65535) throw new LegacyRequestError('the port is not a port number');
  if (allConfig !== '0' && allConfig !== '1') throw new LegacyRequestError('allconfig is 0 or 1');
  const port = Number(portText);
  return {
    hash,
    network,
    mac: macDashes.toUpperCase().replaceAll('-', ':'),
    name: fixedName,
    address: internalIp === '0' ? null : internalIp,
    port: port === LEGACY_DEFAULT_PORT ? TINC_DEFAULT_PORT : port,
    portLine: port === LEGACY_DEFAULT_PORT ? null : port,
    allConfig: allConfig === '1',
  };
}

/** md5(upper(MAC) . network key . network name), compared as the 2015 server did (it is what the client holds). */
export function legacyHashMatches(request: LegacyRequest, networkKey: string): boolean {
  return createHash('md5').update(`${request.mac}${networkKey}${request.network}`).digest('hex') === request.hash;
}

/**
 * The `rsakeypub` field of the client's hand-made multipart body (its closing boundary is malformed, `--B- -`),
 * as a PEM key in the form tinc writes; null when there is none or it is not exactly one RSA public key.
 */
export function legacyPublicKey(body: string, contentType: string): string | null {
  const boundary = /boundary=("?)([^";]{1,70})\1/i.exec(contentType)?.[2];
  if (!boundary) return null;
  for (const part of body.split(`--${boundary}`)) {
    const headerEnd = part.search(/\r?\n\r?\n/);
    if (headerEnd < 0 || !/name="rsakeypub"/i.test(part.slice(0, headerEnd))) continue;
    const pem = part.slice(headerEnd).replace(/\r\n/g, '\n').trim();
    const key = `${pem}\n`;
    return new RegExp(RSA_PUBLIC_KEY_PATTERN).test(key) ? key : null;
  }
  return null;
}

interface ScriptHost {
  name: string;
  address: string;
  publicKey: string;
  endpoint?: { host: string; port: number };
}

function hostBlock(directory: string, mode: string, host: ScriptHost, portLine: number | null): string {
  const lines = [`cat > ${directory}/hosts/${host.name} <<EOF`];
  if (mode === 'router') lines.push(`Subnet=${host.address}/32`);
  lines.push('Compression=10');
  if (host.endpoint) {
    lines.push(`Address=${host.endpoint.host}`);
    if (portLine !== null && portLine !== LEGACY_DEFAULT_PORT) lines.push(`Port=${portLine}`);
  }
  lines.push('', host.publicKey.trim(), 'EOF');
  return `${lines.join('\n')}\n`;
}

/** genscript.ctp's answer: with allconfig, tinc.conf, tinc-up and tinc-down, then every peer's host file and the node's own. */
export function legacyScript(state: NetworkState, request: LegacyRequest, ownPublicKey: string): string {
  const directory = `/etc/tinc/${state.network.name}`;
  const bits = state.network.subnet.split('/')[1];
  let script = '#!/bin/sh\n\n';
  if (request.allConfig) {
    script += `mkdir -p ${directory}\ncat > ${directory}/tinc.conf <<EOF\n`;
    for (const name of state.connectTo) script += `ConnectTo=${name}\n`;
    script += `Device=/dev/net/tun\nMode=${state.network.mode}\nName=${state.self.name}\n`;
    if (request.portLine !== null) script += `Port=${request.portLine}\n`;
    script += 'PrivateKeyFile=/etc/tinc/rsa_key.priv\nEOF\n';
    script += `cat > ${directory}/tinc-up <<EOF\n#!/bin/sh\nip -4 addr add ${state.self.address}/${bits} dev \\$INTERFACE\nip link set \\$INTERFACE up\nEOF\nchmod +x ${directory}/tinc-up\n`;
    script += `cat > ${directory}/tinc-down <<EOF\n#!/bin/sh\nip link set \\$INTERFACE down\nip -4 addr del ${state.self.address}/${bits} dev \\$INTERFACE\nEOF\nchmod +x ${directory}/tinc-down\n`;
    script += `mkdir -p ${directory}/hosts\n`;
  }
  for (const peer of state.peers) script += hostBlock(directory, state.network.mode, peer, peer.endpoint ? peer.endpoint.port : null);
  if (request.allConfig) {
    const own: ScriptHost = { name: state.self.name, address: state.self.address, publicKey: ownPublicKey, ...(request.address ? { endpoint: { host: request.address, port: request.port } } : {}) };
    script += hostBlock(directory, state.network.mode, own, request.portLine);
  }
  return `${script}\n# End Of Script.\n`;
}
