// `cloudy vpn-server …` (run a network) and `cloudy vpn …` (be a member of one), over the node's API.
import type { LogLine } from '../shared/api-contract.ts';
import type { AuditEntry, MemberView, NetworkCreateRequest, NetworkView, TokenCreated, TokenCreateRequest, TokenView, VpnStatus } from '../shared/vpn-contract.ts';
import { followOperation, type Print } from './operation-follow.ts';
import type { PanelClient } from './panel-client.ts';

interface ServerFlags {
  subnet?: string;
  mode?: string;
  uses?: string;
  expires?: string;
}

const SERVER_USAGE = `usage: cloudy vpn-server network create NAME --subnet CIDR [--mode router|switch]
       cloudy vpn-server network list
       cloudy vpn-server token create NETWORK [--uses N] [--expires 1h]
       cloudy vpn-server token list NETWORK
       cloudy vpn-server token revoke NETWORK TOKEN-ID
       cloudy vpn-server members NETWORK
       cloudy vpn-server revoke NETWORK MEMBER
       cloudy vpn-server audit NETWORK
       cloudy vpn-server legacy NETWORK on|off`;

const segment = (value: string) => encodeURIComponent(value);

function describeMember(member: MemberView): string {
  return `${member.name.padEnd(20)} ${member.address.padEnd(16)} ${member.state.padEnd(8)} ${(member.endpoint || '-').padEnd(22)} last seen ${member.lastSeen ?? 'never'}, invited by ${member.invitedBy}`;
}

export async function vpnServerCommand(client: PanelClient, [noun, ...rest]: string[], flags: ServerFlags, print: Print): Promise<void> {
  if (noun === 'network' && rest[0] === 'create') {
    const name = rest[1];
    if (!name || !flags.subnet) throw new Error(`a network needs a name and --subnet\n${SERVER_USAGE}`);
    if (flags.mode && flags.mode !== 'router' && flags.mode !== 'switch') throw new Error('--mode is router or switch');
    const body: NetworkCreateRequest = { name, subnet: flags.subnet, ...(flags.mode ? { mode: flags.mode as 'router' | 'switch' } : {}) };
    const network = await client.request<NetworkView>('POST', '/api/vpn-server/networks', body);
    return print(`network ${network.name} created: ${network.subnet}, ${network.mode} mode; this node is its first member`, network);
  }
  if (noun === 'network' && rest[0] === 'list') {
    const networks = await client.request<NetworkView[]>('GET', '/api/vpn-server/networks');
    return print(networks.map((network) => `${network.name.padEnd(16)} ${network.subnet.padEnd(18)} ${network.mode.padEnd(7)} ${network.members} member(s)`).join('\n') || 'no networks', networks);
  }
  if (noun === 'token' && rest[0] === 'create') {
    const network = rest[1];
    if (!network) throw new Error(`which network?\n${SERVER_USAGE}`);
    if (flags.uses !== undefined && !/^[1-9][0-9]{0,4}$/.test(flags.uses)) throw new Error('--uses is a whole number from 1');
    const body: TokenCreateRequest = { ...(flags.uses ? { uses: Number(flags.uses) } : {}), ...(flags.expires ? { expires: flags.expires } : {}) };
    const token = await client.request<TokenCreated>('POST', `/api/vpn-server/networks/${segment(network)}/tokens`, body);
    return print(`join ${token.network} (${token.uses} use(s), until ${token.expiresAt}) on the member with:\n  cloudy vpn join ${token.url} ${token.token}`, token);
  }
  if (noun === 'token' && rest[0] === 'list') {
    if (!rest[1]) throw new Error(`which network?\n${SERVER_USAGE}`);
    const tokens = await client.request<TokenView[]>('GET', `/api/vpn-server/networks/${segment(rest[1])}/tokens`);
    const state = (token: TokenView) => (token.revoked ? 'revoked' : Date.parse(token.expiresAt) < Date.now() ? 'expired' : token.used >= token.uses ? 'used up' : 'valid');
    return print(tokens.map((token) => `${token.id}  ${state(token).padEnd(8)} ${token.used}/${token.uses} used, expires ${token.expiresAt}, by ${token.createdBy}`).join('\n') || 'no tokens', tokens);
  }
  if (noun === 'token' && rest[0] === 'revoke') {
    const [, network, id] = rest;
    if (!network || !id) throw new Error(`which network and token id?\n${SERVER_USAGE}`);
    const revoked = await client.request<TokenView>('DELETE', `/api/vpn-server/networks/${segment(network)}/tokens/${segment(id)}`);
    return print(`token ${revoked.id} withdrawn: nobody can join with it any more`, revoked);
  }
  if (noun === 'members') {
    if (!rest[0]) throw new Error(`which network?\n${SERVER_USAGE}`);
    const members = await client.request<MemberView[]>('GET', `/api/vpn-server/networks/${segment(rest[0])}/members`);
    return print(members.map(describeMember).join('\n') || 'no members', members);
  }
  if (noun === 'revoke') {
    const [network, member] = rest;
    if (!network || !member) throw new Error(`which network and member?\n${SERVER_USAGE}`);
    const revoked = await client.request<MemberView>('DELETE', `/api/vpn-server/networks/${segment(network)}/members/${segment(member)}`);
    return print(`${revoked.name} revoked from ${network}; every member drops it now`, revoked);
  }
  if (noun === 'audit') {
    if (!rest[0]) throw new Error(`which network?\n${SERVER_USAGE}`);
    const entries = await client.request<AuditEntry[]>('GET', `/api/vpn-server/networks/${segment(rest[0])}/audit`);
    return print(entries.map((entry) => `${entry.time} ${entry.event.padEnd(14)} ${entry.member.padEnd(16)} ${entry.detail}`).join('\n'), entries);
  }
  if (noun === 'legacy') {
    const [network, setting] = rest;
    if (!network || (setting !== 'on' && setting !== 'off')) throw new Error(`usage: cloudy vpn-server legacy NETWORK on|off`);
    const updated = await client.request<NetworkView>('PATCH', `/api/vpn-server/networks/${segment(network)}`, { legacyEnrolment: setting === 'on' });
    return print(
      updated.legacyEnrolment ? `legacy enrolment on for ${network}: 2015 clients enrol with the network key ${updated.legacyKey} (anyone who has it can join)` : `legacy enrolment off for ${network}`,
      updated,
    );
  }
  throw new Error(SERVER_USAGE);
}

export async function vpnCommand(client: PanelClient, [verb, ...rest]: string[], options: { json: boolean; print: Print }): Promise<void> {
  if (verb === 'join') {
    const [url, token] = rest;
    if (!url || !token) throw new Error('usage: cloudy vpn join URL TOKEN');
    await followOperation(client, { path: '/api/vpn/join', body: { url, token } }, 'join', options);
    return;
  }
  if (verb === 'status') {
    const status = await client.request<VpnStatus>('GET', '/api/vpn');
    if (!status.network) return options.print('not a member of any network', status);
    const lines = [
      `${status.network}: ${status.state}, ${status.address} on ${status.interface} as ${status.name}, server ${status.server}, tincd ${status.tincd}`,
      ...status.peers.map((peer) => `  ${peer.name.padEnd(20)} ${peer.address.padEnd(16)} ${peer.reachable ? 'reachable' : 'not answering'}`),
    ];
    return options.print(lines.join('\n'), status);
  }
  if (verb === 'leave') {
    await client.request('POST', '/api/vpn/leave');
    return options.print('left the network; its tinc files and key are gone', { left: true });
  }
  if (verb === 'logs') {
    const lines = await client.request<LogLine[]>('GET', '/api/vpn/logs');
    return options.print(lines.map((line) => `${line.time} ${line.source} ${line.text}`).join('\n') || 'no tincd log lines (not a member, or tincd has not written any)', lines);
  }
  throw new Error('usage: cloudy vpn join URL TOKEN | vpn status | vpn logs | vpn leave');
}
