// In Search, a found VPN server's networks as links to the VPN page with the join URL filled in.
import type { ServiceRecord } from '../../shared/discovery-contract.ts';
import { routeHref } from '../hash-router.ts';
import { t } from '../i18n/i18n.ts';
import { advertisedNetworks, joinUrlOf } from './join-input.ts';

export function VpnJoinLinks({ record }: { record: ServiceRecord }) {
  const networks = record.self ? [] : advertisedNetworks(record);
  if (networks.length === 0) return null;
  return (
    <ul class="plain consume-actions">
      {networks.map((network) => (
        <li key={network}>
          <a href={routeHref({ page: 'vpn', joinUrl: joinUrlOf(record.address, record.port, network) })} data-testid="search-vpn-join" data-network={network}>
            {t('vpn.joinThis')}
            <span class="visually-hidden"> {t('vpn.joinThisWhat', { network, node: record.node })}</span>
          </a>
          <span class="muted"> ({network})</span>
        </li>
      ))}
    </ul>
  );
}
