// The networks this node serves: name, subnet, mode and active members, with a button to manage each.
import type { NetworkView } from '../../shared/vpn-contract.ts';
import { ColumnHeaders } from '../components/column-headers.tsx';
import { t } from '../i18n/i18n.ts';
import { modeLabel } from './vpn-labels.ts';

interface NetworksTableProps {
  networks: NetworkView[];
  selected: string | null;
  onSelect: (network: string) => void;
}

export function NetworksTable({ networks, selected, onSelect }: NetworksTableProps) {
  if (networks.length === 0) return <p data-testid="vpn-networks-empty">{t('vpnServer.noNetworks')}</p>;
  const columns = { name: t('vpnServer.name'), subnet: t('vpnServer.subnet'), mode: t('vpnServer.mode'), members: t('vpnServer.members'), action: t('search.columnAction') };
  return (
    <table class="stack-table" data-testid="vpn-networks-table">
      <caption class="visually-hidden">{t('vpnServer.networksTitle')}</caption>
      <ColumnHeaders labels={Object.values(columns)} />
      <tbody>
        {networks.map((network) => (
          <tr key={network.name} data-testid="vpn-network-row" data-name={network.name}>
            <td data-label={columns.name} data-testid="vpn-network-name">
              {network.name}
            </td>
            <td data-label={columns.subnet}>
              <code>{network.subnet}</code>
            </td>
            <td data-label={columns.mode}>{modeLabel(network.mode)}</td>
            <td data-label={columns.members} data-testid="vpn-network-members">
              {network.members}
            </td>
            <td data-label={columns.action}>
              <button type="button" class="secondary small" aria-pressed={selected === network.name} onClick={() => onSelect(network.name)} data-testid="vpn-network-manage">
                {t('vpnServer.manage')}
                <span class="visually-hidden"> {network.name}</span>
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
