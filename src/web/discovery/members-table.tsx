// The other members of the Serf community: name, address, status, whether they run Cloudy, their services and round trip.
import type { DiscoveryMember } from '../../shared/discovery-contract.ts';
import { ColumnHeaders } from '../components/column-headers.tsx';
import { formatRtt } from '../format.ts';
import { type MessageKey, t } from '../i18n/i18n.ts';

const STATUS_LABELS: Record<string, MessageKey> = {
  alive: 'members.statusAlive',
  leaving: 'members.statusLeaving',
  left: 'members.statusLeft',
  failed: 'members.statusFailed',
};

export function MembersTable({ members }: { members: DiscoveryMember[] }) {
  if (members.length === 0) return <p data-testid="members-empty">{t('members.empty')}</p>;
  const columns = {
    name: t('members.name'),
    address: t('members.address'),
    status: t('members.status'),
    kind: t('members.kind'),
    services: t('members.services'),
    rtt: t('members.rtt'),
  };
  return (
    <table class="stack-table" data-testid="members-table">
      <ColumnHeaders labels={Object.values(columns)} />
      <tbody>
        {members.map((member) => {
          const statusKey = STATUS_LABELS[member.status];
          return (
            <tr key={member.name} data-testid="member-row" data-name={member.name} data-cloudy={String(member.cloudy)}>
              <td data-label={columns.name} data-testid="member-name">
                {member.name}
              </td>
              <td data-label={columns.address}>
                <code>
                  {member.address}:{member.port}
                </code>
              </td>
              <td data-label={columns.status} data-testid="member-status">
                {statusKey === undefined ? member.status : t(statusKey)}
              </td>
              <td data-label={columns.kind} data-testid="member-kind">
                {member.cloudy ? t('members.cloudy') : t('members.notCloudy')}
              </td>
              <td data-label={columns.services}>{member.services}</td>
              <td data-label={columns.rtt}>{member.rttMs === null ? '—' : formatRtt(member.rttMs)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
