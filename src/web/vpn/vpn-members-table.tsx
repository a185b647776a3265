// A network's members as its server knows them; administrators revoke an active member after confirming (never the server's own node).
import { useState } from 'preact/hooks';

import type { MemberView } from '../../shared/vpn-contract.ts';
import { vpnApi } from '../api/vpn-api.ts';
import { ColumnHeaders } from '../components/column-headers.tsx';
import { FormError } from '../components/form-messages.tsx';
import { formatRelativeTime } from '../format.ts';
import { useSubmission } from '../hooks/use-submission.ts';
import { t } from '../i18n/i18n.ts';
import { invitedByLabel, memberStateLabel } from './vpn-labels.ts';

interface VpnMembersTableProps {
  network: string;
  members: MemberView[];
  admin: boolean;
  now: number;
  onRevoked: () => void;
}

const revocable = (member: MemberView): boolean => member.state === 'active' && member.invitedBy !== 'server';

export function VpnMembersTable({ network, members, admin, now, onRevoked }: VpnMembersTableProps) {
  const [confirming, setConfirming] = useState<string | null>(null);
  const { busy, error, submit } = useSubmission();
  const revoke = (member: string): void => {
    void submit(async () => {
      await vpnApi.revoke(network, member);
      setConfirming(null);
      onRevoked();
    });
  };
  const columns = {
    name: t('vpnServer.memberName'),
    address: t('vpnServer.memberAddress'),
    endpoint: t('vpnServer.memberEndpoint'),
    seenFrom: t('vpnServer.memberSeenFrom'),
    lastSeen: t('vpnServer.memberLastSeen'),
    invitedBy: t('vpnServer.memberInvitedBy'),
    state: t('vpnServer.memberState'),
  };
  return (
    <>
      <FormError error={error} testId="vpn-revoke-error" />
      <table class="stack-table" data-testid="vpn-members-table">
        <ColumnHeaders labels={Object.values(columns)} />
        <tbody>
          {members.map((member) => (
            <tr key={member.name} data-testid="vpn-member-row" data-name={member.name} data-state={member.state} data-invited-by={member.invitedBy}>
              <td data-label={columns.name} data-testid="vpn-member-name">
                {member.name}
              </td>
              <td data-label={columns.address} data-testid="vpn-member-address">
                <code>{member.address}</code>
              </td>
              <td data-label={columns.endpoint}>{member.endpoint === '' ? '—' : <code>{member.endpoint}</code>}</td>
              <td data-label={columns.seenFrom}>{member.seenFrom}</td>
              <td data-label={columns.lastSeen}>{member.lastSeen === null ? t('vpnServer.never') : formatRelativeTime(member.lastSeen, now)}</td>
              <td data-label={columns.invitedBy}>{invitedByLabel(member.invitedBy)}</td>
              <td data-label={columns.state}>
                <div class="cell">
                  <span class={member.state === 'active' ? 'badge badge-ok' : 'badge'} data-testid="vpn-member-state">
                    {memberStateLabel(member.state)}
                  </span>
                  {admin && revocable(member) && confirming !== member.name ? (
                    <button type="button" class="danger small" disabled={busy} onClick={() => setConfirming(member.name)} data-testid="vpn-member-revoke">
                      {t('vpnServer.revoke')}
                      <span class="visually-hidden"> {member.name}</span>
                    </button>
                  ) : null}
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {admin && confirming !== null ? (
        <div class="card confirm" role="group" aria-labelledby="vpn-revoke-question" data-testid="vpn-revoke-confirmation">
          <p id="vpn-revoke-question">{t('vpnServer.revokeQuestion', { member: confirming, network })}</p>
          <div class="button-row">
            <button type="button" class="danger" disabled={busy} onClick={() => revoke(confirming)} data-testid="vpn-revoke-confirm">
              {t('vpnServer.revokeConfirm')}
            </button>
            <button type="button" class="secondary" onClick={() => setConfirming(null)} data-testid="vpn-revoke-cancel">
              {t('common.cancel')}
            </button>
          </div>
        </div>
      ) : null}
    </>
  );
}
