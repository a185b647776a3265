// VPN servers the community announces, one line per network they offer, each with a button that puts its join URL into the Join form.
import type { ServiceRecord } from '../../shared/discovery-contract.ts';
import { VPN_SERVER_RECORD_TYPE } from '../../shared/vpn-names.ts';
import { vpnApi } from '../api/vpn-api.ts';
import { useApiData } from '../hooks/use-api-data.ts';
import { useDiscoveryEvents } from '../hooks/use-discovery-events.ts';
import { t } from '../i18n/i18n.ts';
import { advertisedNetworks, joinUrlOf } from './join-input.ts';

interface ServerNetwork {
  record: ServiceRecord;
  network: string;
  url: string;
}

/** Other nodes' live records only: this node's own networks it has joined already. */
function serverNetworks(records: ServiceRecord[]): ServerNetwork[] {
  return records
    .filter((record) => record.type === VPN_SERVER_RECORD_TYPE && !record.self && !record.stale)
    .flatMap((record) => advertisedNetworks(record).map((network) => ({ record, network, url: joinUrlOf(record.address, record.port, network) })));
}

export function DiscoveredServers({ onChoose }: { onChoose: (url: string) => void }) {
  const { data, reload } = useApiData(vpnApi.servers, []);
  useDiscoveryEvents(reload);
  const found = serverNetworks(data?.records ?? []);
  return (
    <section aria-labelledby="vpn-found-title" data-testid="vpn-found-servers">
      <h2 id="vpn-found-title">{t('vpn.foundTitle')}</h2>
      {found.length === 0 ? (
        <p data-testid="vpn-found-empty">{data === null ? t('common.loading') : t('vpn.foundEmpty')}</p>
      ) : (
        <ul class="plain found-networks">
          {found.map(({ record, network, url }) => (
            <li key={url} class="found-network" data-testid="vpn-found-network" data-network={network} data-url={url}>
              <span>
                <strong>{network}</strong> <span class="muted">{t('vpn.foundOn', { node: record.node, address: `${record.address}:${record.port}` })}</span>
              </span>
              <button type="button" class="secondary small" onClick={() => onChoose(url)} data-testid="vpn-found-join">
                {t('vpn.joinThis')}
                <span class="visually-hidden"> {t('vpn.joinThisWhat', { network, node: record.node })}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
