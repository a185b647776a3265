// One typed function per overlay-network endpoint the panel uses: the server's networks, tokens, members and audit log, and this node's membership.
import type { LogLine, OperationAccepted } from '../../shared/api-contract.ts';
import type { SearchResult } from '../../shared/discovery-contract.ts';
import type { AuditEntry, JoinRequest, MemberView, NetworkCreateRequest, NetworkView, TokenCreated, TokenCreateRequest, VpnStatus } from '../../shared/vpn-contract.ts';
import { VPN_SERVER_RECORD_TYPE } from '../../shared/vpn-names.ts';
import { request } from './http-client.ts';

const networkPath = (network: string): string => `/api/vpn-server/networks/${encodeURIComponent(network)}`;

export const vpnApi = {
  networks: () => request<NetworkView[]>('GET', '/api/vpn-server/networks'),
  createNetwork: (body: NetworkCreateRequest) => request<NetworkView>('POST', '/api/vpn-server/networks', { body }),
  setLegacyEnrolment: (network: string, legacyEnrolment: boolean) => request<NetworkView>('PATCH', networkPath(network), { body: { legacyEnrolment } }),
  createToken: (network: string, body: TokenCreateRequest) => request<TokenCreated>('POST', `${networkPath(network)}/tokens`, { body }),
  members: (network: string) => request<MemberView[]>('GET', `${networkPath(network)}/members`),
  revoke: (network: string, member: string) => request<MemberView>('DELETE', `${networkPath(network)}/members/${encodeURIComponent(member)}`),
  audit: (network: string) => request<AuditEntry[]>('GET', `${networkPath(network)}/audit`),
  status: () => request<VpnStatus>('GET', '/api/vpn'),
  join: (body: JoinRequest) => request<OperationAccepted>('POST', '/api/vpn/join', { body }),
  leave: () => request<void>('POST', '/api/vpn/leave'),
  /** tincd's recent lines for this node's network. */
  logs: () => request<LogLine[]>('GET', '/api/vpn/logs'),
  /** VPN servers the community announces (discovery records of type vpn-server). */
  servers: () => request<SearchResult>('GET', `/api/discovery/services?${new URLSearchParams({ type: VPN_SERVER_RECORD_TYPE, limit: '100' }).toString()}`),
};
