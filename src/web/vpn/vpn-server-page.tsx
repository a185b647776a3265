// VPN server: the overlay networks this node runs for others, one managed at a time, and (administrators) a form for a new one.
import { useState } from 'preact/hooks';

import type { NetworkView } from '../../shared/vpn-contract.ts';
import { vpnApi } from '../api/vpn-api.ts';
import { LoadStatus } from '../components/load-status.tsx';
import { routeHref } from '../hash-router.ts';
import { useApiData } from '../hooks/use-api-data.ts';
import { t } from '../i18n/i18n.ts';
import { useSession } from '../session-context.ts';
import { CreateNetworkForm } from './create-network-form.tsx';
import { NetworkPanel } from './network-panel.tsx';
import { NetworksTable } from './networks-table.tsx';
import { useVpnEvents } from './use-vpn-events.ts';

/** Member counts change with joins on the server, which the `vpn` event announces; this is the fallback. */
const REFRESH_MS = 15_000;

export function VpnServerPage() {
  const admin = useSession().session.role === 'admin';
  const { data: networks, error, reload, setData } = useApiData(vpnApi.networks, []);
  useVpnEvents(reload, REFRESH_MS);
  const [selected, setSelected] = useState<string | null>(null);
  const shown = networks?.find((network) => network.name === selected) ?? networks?.[0] ?? null;
  const replace = (network: NetworkView): void => setData((current) => [...(current ?? []).filter((other) => other.name !== network.name), network].sort((a, b) => a.name.localeCompare(b.name)));
  const created = (network: NetworkView): void => {
    replace(network);
    setSelected(network.name);
    reload();
  };
  const changed = (updated?: NetworkView): void => {
    if (updated !== undefined) replace(updated);
    reload();
  };
  return (
    <section data-testid="vpn-server">
      <p>
        <a href={routeHref({ page: 'vpn' })} data-testid="vpn-server-member-link">
          {t('vpnServer.memberLink')}
        </a>
      </p>
      <h1>{t('vpnServer.title')}</h1>
      <p>{t('vpnServer.intro')}</p>
      <h2>{t('vpnServer.networksTitle')}</h2>
      {networks === null ? <LoadStatus error={error} retry={reload} /> : <NetworksTable networks={networks} selected={shown?.name ?? null} onSelect={setSelected} />}
      {shown === null ? null : <NetworkPanel key={shown.name} network={shown} admin={admin} onChanged={changed} />}
      {admin ? <CreateNetworkForm onCreated={created} /> : <p class="muted" data-testid="vpn-server-admin-only">{t('vpnServer.adminOnly')}</p>}
    </section>
  );
}
