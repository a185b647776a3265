// This node's membership: network, overlay address, interface, name, server, states, and which peers answer over the overlay.
import type { VpnStatus } from '../../shared/vpn-contract.ts';
import { ColumnHeaders } from '../components/column-headers.tsx';
import { t } from '../i18n/i18n.ts';
import { membershipStateLabel, tincdStateLabel } from './vpn-labels.ts';

const GOOD_STATES = new Set(['joined', 'running']);
const badgeClass = (state: string): string => (GOOD_STATES.has(state) ? 'badge badge-ok' : state === 'revoked' || state === 'failed' ? 'badge badge-warn' : 'badge');

export function VpnStatusView({ status, hostsNetwork }: { status: VpnStatus; hostsNetwork: boolean }) {
  if (status.network === null) return <p data-testid="vpn-not-member">{t('vpn.notMember')}</p>;
  return (
    <>
      <dl class="facts" data-testid="vpn-status">
        <dt>{t('vpn.network')}</dt>
        <dd data-testid="vpn-status-network">{status.network}</dd>
        <dt>{t('vpn.address')}</dt>
        <dd>
          <code data-testid="vpn-status-address">{status.address ?? '—'}</code>
        </dd>
        <dt>{t('vpn.interface')}</dt>
        <dd>
          <code data-testid="vpn-status-interface">{status.interface ?? '—'}</code>
        </dd>
        <dt>{t('vpn.name')}</dt>
        <dd data-testid="vpn-status-name">{status.name ?? '—'}</dd>
        <dt>{t('vpn.server')}</dt>
        <dd data-testid="vpn-status-server">{hostsNetwork ? t('vpn.serverThisNode') : (status.server ?? '—')}</dd>
        <dt>{t('vpn.state')}</dt>
        <dd>
          <span class={badgeClass(status.state ?? '')} data-testid="vpn-status-state" data-state={status.state ?? ''}>
            {status.state === null ? '—' : membershipStateLabel(status.state)}
          </span>
        </dd>
        <dt>{t('vpn.tincd')}</dt>
        <dd>
          <span class={badgeClass(status.tincd)} data-testid="vpn-status-tincd" data-state={status.tincd}>
            {tincdStateLabel(status.tincd)}
          </span>
          {status.tincdPid === null ? null : <span class="muted"> {t('vpn.pid', { pid: status.tincdPid })}</span>}
        </dd>
      </dl>
      {status.state === 'revoked' ? (
        <p class="message" role="status" data-testid="vpn-revoked">
          {t('vpn.revokedText')}
        </p>
      ) : null}
      {status.state === 'unreachable' ? (
        <p class="message" role="status" data-testid="vpn-unreachable">
          {t('vpn.unreachableText')}
        </p>
      ) : null}
      <h2>{t('vpn.peersTitle')}</h2>
      <PeersTable peers={status.peers} />
    </>
  );
}

function PeersTable({ peers }: { peers: VpnStatus['peers'] }) {
  if (peers.length === 0) return <p data-testid="vpn-peers-empty">{t('vpn.noPeers')}</p>;
  const columns = { name: t('vpn.peerName'), address: t('vpn.address'), reachable: t('vpn.peerReachable') };
  return (
    <table class="stack-table" data-testid="vpn-peers-table">
      <ColumnHeaders labels={Object.values(columns)} />
      <tbody>
        {peers.map((peer) => (
          <tr key={peer.name} data-testid="vpn-peer-row" data-name={peer.name} data-reachable={String(peer.reachable)}>
            <td data-label={columns.name}>{peer.name}</td>
            <td data-label={columns.address}>
              <code>{peer.address}</code>
            </td>
            <td data-label={columns.reachable}>
              <span class={peer.reachable ? 'badge badge-ok' : 'badge badge-warn'}>{peer.reachable ? t('vpn.reachable') : t('vpn.notAnswering')}</span>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
