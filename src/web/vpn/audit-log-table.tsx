// What happened to a network, as its server recorded it: creation, tokens, joins, revocations, legacy enrolment turned on or off.
import type { AuditEntry } from '../../shared/vpn-contract.ts';
import { ColumnHeaders } from '../components/column-headers.tsx';
import { formatTime } from '../format.ts';
import { t } from '../i18n/i18n.ts';

export function AuditLogTable({ entries }: { entries: AuditEntry[] }) {
  if (entries.length === 0) return <p data-testid="vpn-audit-empty">{t('vpnServer.auditEmpty')}</p>;
  const columns = { time: t('vpnServer.auditTime'), event: t('vpnServer.auditEvent'), member: t('vpnServer.memberName'), detail: t('vpnServer.auditDetail') };
  return (
    <table class="stack-table" data-testid="vpn-audit-table">
      <ColumnHeaders labels={Object.values(columns)} />
      <tbody>
        {entries.map((entry, index) => (
          <tr key={`${entry.time}/${index}`} data-testid="vpn-audit-row" data-event={entry.event}>
            <td data-label={columns.time}>{formatTime(entry.time)}</td>
            <td data-label={columns.event}>
              <code>{entry.event}</code>
            </td>
            <td data-label={columns.member}>{entry.member === '' ? '—' : entry.member}</td>
            <td data-label={columns.detail}>{entry.detail}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
