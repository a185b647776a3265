// Checks the Search table's orders: reachability like the API (live, measured, fastest first), IPv4 by number, ties stable.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { ServiceRecord } from '../../shared/discovery-contract.ts';
import { DEFAULT_SORT, nextSort, sortRecords } from './record-sort.ts';

const record = (key: string, fields: Partial<ServiceRecord> = {}): ServiceRecord => ({
  key,
  type: 'webdav',
  description: key,
  node: 'node',
  nodeId: 'id',
  address: '10.0.0.1',
  port: 80,
  microcloud: '',
  txt: {},
  source: 'serf',
  sources: ['serf'],
  lastSeen: '2026-01-01T00:00:00Z',
  stale: false,
  rttMs: null,
  rttSource: null,
  self: false,
  ...fields,
});

const keys = (records: ServiceRecord[]) => records.map((entry) => entry.key);

test('reachability: live before stale, measured before unknown, fastest first', () => {
  const records = [record('unknown'), record('stale-fast', { stale: true, rttMs: 1 }), record('slow', { rttMs: 40 }), record('fast', { rttMs: 2 })];
  assert.deepEqual(keys(sortRecords(records, DEFAULT_SORT)), ['fast', 'slow', 'unknown', 'stale-fast']);
  assert.deepEqual(keys(sortRecords(records, nextSort(DEFAULT_SORT, 'reachability'))), ['stale-fast', 'unknown', 'slow', 'fast']);
});

test('addresses sort by number, ports as numbers, ties keep the given order', () => {
  const records = [record('b', { address: '10.0.0.10', port: 900 }), record('a', { address: '10.0.0.9', port: 80 }), record('c', { address: '10.0.0.9', port: 80 })];
  assert.deepEqual(keys(sortRecords(records, { column: 'address', direction: 'ascending' })), ['a', 'c', 'b']);
  assert.deepEqual(keys(sortRecords(records, { column: 'port', direction: 'descending' })), ['b', 'a', 'c']);
});

test('a new column starts ascending; the same column turns around', () => {
  assert.deepEqual(nextSort(DEFAULT_SORT, 'node'), { column: 'node', direction: 'ascending' });
  assert.deepEqual(nextSort({ column: 'node', direction: 'ascending' }, 'node'), { column: 'node', direction: 'descending' });
});
