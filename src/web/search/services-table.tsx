// The Search results: a table sortable by its column headers, which stacks into one card per service on narrow screens.
import type { ConsumeView, ProbeResult, ServiceRecord } from '../../shared/discovery-contract.ts';
import { type MessageKey, t } from '../i18n/i18n.ts';
import { type SortColumn, type SortOrder, sortRecords } from './record-sort.ts';
import { ServiceRow } from './service-row.tsx';

interface ServicesTableProps {
  records: ServiceRecord[];
  sort: SortOrder;
  onSort: (column: SortColumn) => void;
  viewsByKey: ReadonlyMap<string, ConsumeView[]>;
  knownModules: ReadonlySet<string>;
  admin: boolean;
  probes: ReadonlyMap<string, ProbeResult>;
  measuring: ReadonlySet<string>;
  onMeasure: (key: string) => void;
  now: number;
}

const COLUMNS: Array<{ column: SortColumn; label: MessageKey }> = [
  { column: 'description', label: 'search.columnDescription' },
  { column: 'node', label: 'search.columnNode' },
  { column: 'address', label: 'search.columnAddress' },
  { column: 'port', label: 'search.columnPort' },
  { column: 'microcloud', label: 'search.columnMicrocloud' },
  { column: 'reachability', label: 'search.columnReachability' },
  { column: 'lastSeen', label: 'search.columnLastSeen' },
];

const NO_VIEWS: ConsumeView[] = [];

export function ServicesTable(props: ServicesTableProps) {
  const { records, sort, onSort } = props;
  const sorted = sortRecords(records, sort);
  return (
    <table class="stack-table services-table" data-testid="search-results">
      <caption class="visually-hidden">{t('search.tableCaption')}</caption>
      <thead>
        <tr>
          {COLUMNS.map(({ column, label }) => {
            const active = sort.column === column;
            return (
              <th key={column} scope="col" aria-sort={active ? sort.direction : undefined}>
                <button type="button" class="sort" onClick={() => onSort(column)} data-testid={`sort-${column}`}>
                  {t(label)}
                  <span aria-hidden="true" class="sort-mark">
                    {active ? (sort.direction === 'ascending' ? ' ▲' : ' ▼') : ''}
                  </span>
                </button>
              </th>
            );
          })}
          <th scope="col" class="unsortable">
            {t('search.columnAction')}
          </th>
        </tr>
      </thead>
      <tbody>
        {sorted.map((record) => (
          <ServiceRow
            key={record.key}
            record={record}
            views={props.viewsByKey.get(record.key) ?? NO_VIEWS}
            knownModules={props.knownModules}
            admin={props.admin}
            probe={props.probes.get(record.key)}
            measuring={props.measuring.has(record.key)}
            onMeasure={() => props.onMeasure(record.key)}
            now={props.now}
          />
        ))}
      </tbody>
    </table>
  );
}
