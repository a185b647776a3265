// One network this node serves: its facts, legacy enrolment, join tokens, members and audit log, live.
import type { NetworkView } from '../../shared/vpn-contract.ts';
import { vpnApi } from '../api/vpn-api.ts';
import { LoadStatus } from '../components/load-status.tsx';
import { formatTime } from '../format.ts';
import { useApiData } from '../hooks/use-api-data.ts';
import { useNow } from '../hooks/use-now.ts';
import { t } from '../i18n/i18n.ts';
import { AuditLogTable } from './audit-log-table.tsx';
import { JoinTokenForm } from './join-token-form.tsx';
import { LegacyEnrolmentControl } from './legacy-enrolment-control.tsx';
import { useVpnEvents } from './use-vpn-events.ts';
import { modeLabel } from './vpn-labels.ts';
import { VpnMembersTable } from './vpn-members-table.tsx';

/** Last-seen times and endpoints change without a `vpn` event: look again this often. */
const REFRESH_MS = 10_000;
const CLOCK_TICK_MS = 30_000;

interface NetworkPanelProps {
  network: NetworkView;
  admin: boolean;
  /** The network's figures changed (members, legacy enrolment): the list above shows them too; `updated` is the server's new view. */
  onChanged: (updated?: NetworkView) => void;
}

export function NetworkPanel({ network, admin, onChanged }: NetworkPanelProps) {
  const members = useApiData(() => vpnApi.members(network.name), [network.name]);
  // The audit log is for administrators only (the API refuses others).
  const audit = useApiData(() => (admin ? vpnApi.audit(network.name) : Promise.resolve([])), [network.name, admin]);
  const now = useNow(CLOCK_TICK_MS);
  const reload = (): void => {
    members.reload();
    audit.reload();
  };
  useVpnEvents(reload, REFRESH_MS);
  const changed = (updated?: NetworkView): void => {
    reload();
    onChanged(updated);
  };
  return (
    <section class="card" aria-labelledby="vpn-network-title" data-testid="vpn-network" data-name={network.name}>
      <h2 id="vpn-network-title">{t('vpnServer.networkTitle', { network: network.name })}</h2>
      <dl class="facts">
        <dt>{t('vpnServer.subnet')}</dt>
        <dd>
          <code data-testid="vpn-network-subnet">{network.subnet}</code>
        </dd>
        <dt>{t('vpnServer.mode')}</dt>
        <dd>{modeLabel(network.mode)}</dd>
        <dt>{t('vpnServer.created')}</dt>
        <dd>{formatTime(network.createdAt)}</dd>
      </dl>
      {admin ? <LegacyEnrolmentControl network={network} onChanged={changed} /> : null}
      {admin ? <JoinTokenForm network={network.name} onCreated={audit.reload} /> : null}
      <h3>{t('vpnServer.membersTitle')}</h3>
      {members.data === null ? <LoadStatus error={members.error} retry={members.reload} /> : <VpnMembersTable network={network.name} members={members.data} admin={admin} now={now} onRevoked={() => changed()} />}
      {admin ? (
        <details data-testid="vpn-audit">
          <summary>{t('vpnServer.auditTitle')}</summary>
          {audit.data === null ? <LoadStatus error={audit.error} retry={audit.reload} /> : <AuditLogTable entries={audit.data} />}
        </details>
      ) : null}
    </section>
  );
}
