// How the Search table orders service records: by a column, either way; reachability first by default, like the API.
import type { ServiceRecord } from '../../shared/discovery-contract.ts';

export type SortColumn = 'description' | 'node' | 'address' | 'port' | 'microcloud' | 'reachability' | 'lastSeen';

export interface SortOrder {
  column: SortColumn;
  direction: 'ascending' | 'descending';
}

export const DEFAULT_SORT: SortOrder = { column: 'reachability', direction: 'ascending' };

const text = (a: string, b: string): number => a.localeCompare(b, undefined, { sensitivity: 'base', numeric: true });

/** IPv4 addresses by their numbers (10.0.0.9 before 10.0.0.10); anything else as text, after them. */
function address(a: string, b: string): number {
  const numbers = (value: string) => (/^\d{1,3}(\.\d{1,3}){3}$/.test(value) ? value.split('.').map(Number) : null);
  const [left, right] = [numbers(a), numbers(b)];
  if (left === null || right === null) return left === right ? text(a, b) : left === null ? 1 : -1;
  for (let index = 0; index < 4; index++) {
    const difference = left[index]! - right[index]!;
    if (difference !== 0) return difference;
  }
  return 0;
}

/** Best first: live before stale, measured before unknown, shorter round trips before longer. */
function reachability(a: ServiceRecord, b: ServiceRecord): number {
  if (a.stale !== b.stale) return a.stale ? 1 : -1;
  if (a.rttMs === null || b.rttMs === null) return a.rttMs === b.rttMs ? 0 : a.rttMs === null ? 1 : -1;
  return a.rttMs - b.rttMs;
}

const COMPARATORS: Record<SortColumn, (a: ServiceRecord, b: ServiceRecord) => number> = {
  description: (a, b) => text(a.description, b.description),
  node: (a, b) => text(a.node, b.node),
  address: (a, b) => address(a.address, b.address),
  port: (a, b) => a.port - b.port,
  microcloud: (a, b) => text(a.microcloud, b.microcloud),
  reachability,
  // Most recently seen first when ascending: "last seen" reads best as "freshest first".
  lastSeen: (a, b) => Date.parse(b.lastSeen) - Date.parse(a.lastSeen),
};

/** A sorted copy; ties keep the API's order (reachability), so equal rows do not jump around on refresh. */
export function sortRecords(records: ServiceRecord[], order: SortOrder): ServiceRecord[] {
  const compare = COMPARATORS[order.column];
  const sign = order.direction === 'ascending' ? 1 : -1;
  return records
    .map((record, index) => ({ record, index }))
    .sort((a, b) => sign * compare(a.record, b.record) || a.index - b.index)
    .map(({ record }) => record);
}

/** Clicking the sorted column turns it around; another column starts ascending. */
export function nextSort(current: SortOrder, column: SortColumn): SortOrder {
  if (current.column !== column) return { column, direction: 'ascending' };
  return { column, direction: current.direction === 'ascending' ? 'descending' : 'ascending' };
}
