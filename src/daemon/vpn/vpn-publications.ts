// What the overlay network publishes through discovery: a `tincvpn` record per running membership (the 2015
// name), and a `vpn-server` record listing the networks this node hosts, so members find it in Search.
import { TINC_RECORD_TYPE, VPN_SERVER_RECORD_TYPE } from '../../shared/vpn-contract.ts';
import type { HelperClient } from '../helper-client.ts';
import type { ModulePublishing } from '../module-service.ts';
import type { MembershipStore } from './membership-store.ts';
import type { VpnServer } from './vpn-server.ts';

export async function vpnPublishing(deps: { server: VpnServer; memberships: MembershipStore; helper: HelperClient; httpsPort: number }): Promise<ModulePublishing[]> {
  const networks = deps.server.networks().map((network) => network.name);
  // A node that hosts no network lists nothing, rather than a "not running" line on every node.
  const servers: ModulePublishing[] = networks.length === 0 ? [] : [
    {
      module: 'vpn-server',
      title: 'VPN server',
      running: true,
      reason: 'running',
      records: [{ type: `_${VPN_SERVER_RECORD_TYPE}._tcp`, port: deps.httpsPort, description: `VPN server: ${networks.join(', ')}`, txt: { networks: networks.join(',') } }],
    },
  ];
  const memberships: ModulePublishing[] = [];
  for (const membership of deps.memberships.all()) {
    if (!membership.state || membership.phase === 'revoked') continue;
    const tincd = await deps.helper.call<{ state: string }>('vpn.status', { network: membership.network }).catch(() => ({ state: 'unknown' }));
    const running = tincd.state === 'running';
    memberships.push({
      module: `vpn-${membership.network}`,
      title: `VPN ${membership.network}`,
      running,
      reason: running ? 'running' : `tincd is ${tincd.state}`,
      // tincd would log every probe connection as an unknown peer; its supervisor's state says enough.
      servingChecked: true,
      records: running
        ? [{ type: `_${TINC_RECORD_TYPE}._tcp`, port: membership.port, description: `tinc VPN ${membership.network}`, txt: { network: membership.network, address: membership.state.self.address } }]
        : [],
    });
  }
  return [...servers, ...memberships];
}
