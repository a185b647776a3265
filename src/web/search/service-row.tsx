// One found service in the Search table; each cell carries its column name, shown as a caption when rows stack on phones.
import { type ComponentChildren, Fragment } from 'preact';

import type { ConsumeView, ProbeResult, ServiceRecord } from '../../shared/discovery-contract.ts';
import { VPN_SERVER_RECORD_TYPE } from '../../shared/vpn-names.ts';
import { formatRelativeTime } from '../format.ts';
import { t } from '../i18n/i18n.ts';
import { ConsumeActionCell } from './consume-action-cell.tsx';
import { VpnJoinLinks } from '../vpn/vpn-join-links.tsx';
import { ReachabilityCell } from './reachability-cell.tsx';

export interface ServiceRowProps {
  record: ServiceRecord;
  views: ConsumeView[];
  knownModules: ReadonlySet<string>;
  admin: boolean;
  probe: ProbeResult | undefined;
  measuring: boolean;
  onMeasure: () => void;
  /** Clock of the last tick, so "2 minutes ago" moves on. */
  now: number;
}

const Cell = ({ label, testId, children }: { label: string; testId: string; children: ComponentChildren }) => (
  <td data-label={label} data-testid={testId}>
    <div class="cell">{children}</div>
  </td>
);

export function ServiceRow({ record, views, knownModules, admin, probe, measuring, onMeasure, now }: ServiceRowProps) {
  const txt = Object.entries(record.txt);
  const lastSeen = formatRelativeTime(record.lastSeen, now);
  return (
    <tr class={record.stale ? 'stale' : undefined} data-testid="service-row" data-key={record.key} data-type={record.type} data-stale={String(record.stale)}>
      <Cell label={t('search.columnDescription')} testId="service-description">
        <span class="service-description">{record.description}</span>
        <span class="muted service-type">{record.type}</span>
        {txt.length === 0 ? null : (
          <ul class="plain txt" aria-label={t('search.txtLabel')} data-testid="service-txt">
            {txt.map(([key, value]) => (
              <li key={key}>
                <code>
                  {key}={value}
                </code>
              </li>
            ))}
          </ul>
        )}
      </Cell>
      <Cell label={t('search.columnNode')} testId="service-node">
        <span>{record.node}</span>
        {record.self ? (
          <span class="badge badge-ok" data-testid="service-this-node">
            {t('search.thisNode')}
          </span>
        ) : null}
      </Cell>
      <Cell label={t('search.columnAddress')} testId="service-address">
        <code>
          {record.address.split(/(?<=:)/).map((part, index) => (
            <Fragment key={index}>
              {index === 0 ? null : <wbr />}
              {part}
            </Fragment>
          ))}
        </code>
      </Cell>
      <Cell label={t('search.columnPort')} testId="service-port">
        {record.port}
      </Cell>
      <Cell label={t('search.columnMicrocloud')} testId="service-microcloud">
        {record.microcloud === '' ? '—' : record.microcloud}
      </Cell>
      <Cell label={t('search.columnReachability')} testId="service-reachability">
        <ReachabilityCell record={record} probe={probe} measuring={measuring} onMeasure={onMeasure} />
      </Cell>
      <Cell label={t('search.columnLastSeen')} testId="service-last-seen">
        {record.stale ? (
          <>
            <span class="badge badge-warn" data-testid="service-stale">
              {t('search.stale')}
            </span>{' '}
            <span>{t('search.lastSeenAgo', { time: lastSeen })}</span>
          </>
        ) : (
          <span>{lastSeen}</span>
        )}
      </Cell>
      <Cell label={t('search.columnAction')} testId="service-action">
        {record.type === VPN_SERVER_RECORD_TYPE && !record.self ? <VpnJoinLinks record={record} /> : <ConsumeActionCell record={record} views={views} knownModules={knownModules} admin={admin} />}
      </Cell>
    </tr>
  );
}
