// Unit tests of the record cache: merging across backends, staleness, caps and eviction, search, ranking, pruning, change events.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { CACHE_LIMITS, RecordCache } from './record-cache.ts';
import { type CleanRecord, recordKey } from './service-record.ts';

const SELF = 'selfnode01';
const DAY = 86_400_000;

const rec = (overrides: Partial<CleanRecord> = {}): CleanRecord => ({
  type: 'syncthing', description: 'Syncthing', node: 'h1', nodeId: 'peer1', address: '10.0.0.1', port: 22000, microcloud: 'guifi', txt: {}, ...overrides,
});

const keysOf = (cache: RecordCache, options: Parameters<RecordCache['search']>[0] = {}) => cache.search(options).records.map((record) => record.key);

test('the same key from mDNS and Serf is one record; the most trusted source leads', () => {
  const cache = new RecordCache(SELF);
  cache.upsert('mdns', rec());
  cache.upsert('serf', rec({ description: 'From the list' }));
  const [only, ...rest] = cache.search().records;
  assert.equal(rest.length, 0);
  assert.equal(only?.source, 'serf');
  assert.deepEqual(only?.sources, ['serf', 'mdns']);
  assert.equal(only?.description, 'From the list', 'the latest report wins');
  cache.upsert('legacy', rec());
  cache.upsert('local', rec());
  assert.deepEqual(cache.search().records[0]?.sources, ['local', 'serf', 'mdns', 'legacy']);
});

test('withdrawn by one source it stays live; stale only when every source withdrew', () => {
  const cache = new RecordCache(SELF);
  const key = recordKey(rec());
  cache.upsert('mdns', rec());
  cache.upsert('serf', rec());
  cache.withdraw('serf', key);
  assert.deepEqual(cache.search().records.map((record) => [record.source, record.sources, record.stale]), [['mdns', ['mdns'], false]]);
  cache.withdraw('mdns', key);
  assert.equal(cache.search().total, 0);
  const [stale] = cache.search({ includeStale: true }).records;
  assert.equal(stale?.stale, true);
  assert.deepEqual(stale?.sources, []);
  cache.upsert('mdns', rec());
  assert.equal(cache.search().records[0]?.stale, false, 'a new sighting revives it');
});

test('replaceNode withdraws what the source no longer lists, for that node and that source only', () => {
  const cache = new RecordCache(SELF);
  const [a, b, c] = [1, 2, 3].map((port) => rec({ port }));
  cache.replaceNode('serf', 'peer1', [a!, b!, c!]);
  cache.upsert('mdns', c!);
  cache.upsert('serf', rec({ nodeId: 'peer2', port: 9 }));
  cache.replaceNode('serf', 'peer1', [a!]);
  assert.deepEqual(keysOf(cache).sort(), ['peer1/syncthing/1', 'peer1/syncthing/3', 'peer2/syncthing/9']);
  assert.deepEqual(cache.search().records.find((record) => record.port === 3)?.sources, ['mdns']);
  assert.equal(cache.entry('peer1/syncthing/2')?.sources.get('serf')?.present, false);
});

test('nodeGone takes every record of the node stale, whoever reported it', () => {
  const cache = new RecordCache(SELF);
  cache.upsert('serf', rec({ port: 1 }));
  cache.upsert('mdns', rec({ port: 2 }));
  cache.upsert('serf', rec({ nodeId: 'peer2' }));
  cache.nodeGone('peer1');
  assert.deepEqual(keysOf(cache), ['peer2/syncthing/22000']);
  assert.equal(cache.search({ includeStale: true }).total, 3);
});

test('per-node cap of 256: the next new record is refused and counted; known ones still update', () => {
  const cache = new RecordCache(SELF);
  for (let port = 1; port <= CACHE_LIMITS.perNode; port++) assert.equal(cache.upsert('serf', rec({ port })), true);
  assert.equal(cache.upsert('serf', rec({ port: 5000 })), false);
  assert.equal(cache.refused, 1);
  assert.equal(cache.upsert('serf', rec({ port: 1, description: 'changed' })), true);
  assert.equal(cache.upsert('serf', rec({ nodeId: 'peer2', port: 5000 })), true, 'other nodes are not held back');
  assert.equal(cache.size, CACHE_LIMITS.perNode + 1);
});

test('a full node evicts its oldest stale record for a new one, never another node’s', () => {
  const cache = new RecordCache(SELF);
  const t0 = Date.now() - DAY;
  cache.upsert('serf', rec({ nodeId: 'peer2', port: 1 }), t0 - DAY);
  cache.withdraw('serf', 'peer2/syncthing/1', t0 - DAY);
  for (let port = 1; port <= CACHE_LIMITS.perNode; port++) cache.upsert('serf', rec({ port }), t0);
  assert.equal(cache.upsert('serf', rec({ port: 5000 }), t0), false, 'the other node’s stale record does not make room');
  cache.withdraw('serf', 'peer1/syncthing/20', t0 + 1000);
  cache.withdraw('serf', 'peer1/syncthing/10', t0 + 2000);
  assert.equal(cache.upsert('serf', rec({ port: 5001 }), t0 + 3000), true);
  assert.equal(cache.entry('peer1/syncthing/20'), undefined, 'the record stale for longest went');
  assert.ok(cache.entry('peer1/syncthing/10'));
  assert.ok(cache.entry('peer2/syncthing/1'));
  assert.equal(cache.refused, 1);
});

test('per-type cap of 5,000 across nodes', () => {
  const cache = new RecordCache(SELF);
  for (let node = 0; node < 20; node++) {
    for (let port = 1; port <= 250; port++) cache.upsert('serf', rec({ nodeId: `n${node}`, type: 'bulk', port }));
  }
  assert.equal(cache.size, CACHE_LIMITS.perType);
  assert.equal(cache.upsert('serf', rec({ nodeId: 'z', type: 'bulk', port: 1 })), false);
  assert.equal(cache.upsert('serf', rec({ nodeId: 'z', type: 'other', port: 1 })), true);
  cache.withdraw('serf', 'n3/bulk/7');
  assert.equal(cache.upsert('serf', rec({ nodeId: 'z', type: 'bulk', port: 2 })), true, 'a stale record of the type makes room');
  assert.equal(cache.entry('n3/bulk/7'), undefined);
});

test('total cap of 20,000; our own published records always fit; others cannot pass for ours', () => {
  const cache = new RecordCache(SELF);
  for (let index = 0; index < CACHE_LIMITS.total; index++) {
    cache.upsert('serf', rec({ nodeId: `n${Math.floor(index / 250)}`, type: `t${index % 5}`, port: index % 250 }));
  }
  assert.equal(cache.size, CACHE_LIMITS.total);
  assert.equal(cache.upsert('serf', rec({ nodeId: 'new', type: 'fresh', port: 1 })), false);
  assert.equal(cache.upsert('mdns', rec({ nodeId: SELF, type: 'spoof', port: 1 })), false, 'an mDNS advert naming our node id is still a stranger’s');
  assert.equal(cache.refused, 2);
  assert.equal(cache.upsert('local', rec({ nodeId: SELF, type: 'mine', port: 1 })), true);
  assert.equal(cache.size, CACHE_LIMITS.total + 1);
  cache.nodeGone('n7');
  // Our record sits on top of the cap: room for a stranger's takes two stale evictions, not one.
  assert.equal(cache.upsert('serf', rec({ nodeId: 'new', type: 'fresh', port: 1 })), true);
  assert.equal(cache.size, CACHE_LIMITS.total);
  assert.equal(cache.search({ includeStale: true, limit: 20_000 }).records.filter((record) => record.stale).length, 248);
});

test('our own records show while published and never when stale', () => {
  const cache = new RecordCache(SELF);
  const mine = rec({ nodeId: SELF, node: 'me', address: '10.0.0.9' });
  cache.replaceNode('local', SELF, [mine]);
  const [own] = cache.search().records;
  assert.deepEqual([own?.self, own?.rttMs, own?.rttSource], [true, 0, 'self']);
  cache.replaceNode('local', SELF, []);
  assert.equal(cache.search({ includeStale: true }).total, 0);
  assert.deepEqual(cache.visible(), { services: 0, nodes: 0 });
});

test('search: type in both spellings, text across fields, stale only when asked', () => {
  const cache = new RecordCache(SELF);
  cache.upsert('serf', rec({ port: 1, description: 'Music Library' }));
  cache.upsert('serf', rec({ port: 2, type: 'webdav', node: 'ateneu', microcloud: 'sants' }));
  cache.upsert('mdns', rec({ port: 3, type: 'webdav', nodeId: 'peer2', address: '10.9.9.9', txt: { path: '/Shared' } }));
  cache.upsert('serf', rec({ port: 4, type: 'proxy3', nodeId: 'peer3', description: 'gone' }));
  cache.nodeGone('peer3');
  assert.deepEqual(keysOf(cache, { type: '_webdav._tcp' }), keysOf(cache, { type: 'webdav' }));
  assert.equal(cache.search({ type: 'webdav' }).total, 2);
  assert.equal(cache.search({ type: 'Not A Type!' }).total, 0);
  assert.deepEqual(keysOf(cache, { text: 'music' }), ['peer1/syncthing/1']);
  assert.deepEqual(keysOf(cache, { text: 'ATENEU' }), ['peer1/webdav/2']);
  assert.deepEqual(keysOf(cache, { text: 'sants' }), ['peer1/webdav/2']);
  assert.deepEqual(keysOf(cache, { text: '10.9.9' }), ['peer2/webdav/3']);
  assert.deepEqual(keysOf(cache, { text: '/shared' }), ['peer2/webdav/3']);
  assert.deepEqual(keysOf(cache, { text: 'proxy3' }), []);
  assert.deepEqual(keysOf(cache, { text: 'proxy3', includeStale: true }), ['peer3/proxy3/4']);
  assert.equal(cache.search({ text: '   ' }).total, 3, 'blank text matches everything');
});

test('search: limit cuts the list, total and types count everything that matched', () => {
  const cache = new RecordCache(SELF);
  for (let port = 1; port <= 5; port++) cache.upsert('serf', rec({ port, type: port <= 3 ? 'webdav' : 'syncthing', nodeId: `n${port % 2}` }));
  const result = cache.search({ type: 'webdav', limit: 2 });
  assert.equal(result.records.length, 2);
  assert.equal(result.total, 3);
  assert.equal(result.nodes, 2);
  assert.deepEqual(result.types, [{ type: 'syncthing', count: 2 }, { type: 'webdav', count: 3 }], 'types ignore the type filter, sorted by name');
  assert.deepEqual(cache.search({ text: 'nothing-like-this' }).types, []);
  assert.deepEqual(cache.visible(), { services: 5, nodes: 2 });
});

test('ranking: ours first, then by round trip, unknown after measured, stale last', () => {
  const cache = new RecordCache(SELF);
  cache.upsert('serf', rec({ nodeId: 'far', type: 'a' }));
  cache.upsert('serf', rec({ nodeId: 'near', type: 'b' }));
  cache.upsert('serf', rec({ nodeId: 'unknown', type: 'c' }));
  cache.upsert('serf', rec({ nodeId: 'dead', type: 'd' }));
  cache.upsert('serf', rec({ nodeId: 'odd', type: 'e' }));
  cache.upsert('local', rec({ nodeId: SELF, type: 'z' }));
  cache.setNodeRtt('far', { ms: 80, source: 'coordinates' });
  cache.setNodeRtt('near', { ms: 3.14159, source: 'coordinates' });
  cache.setNodeRtt('dead', { ms: 1, source: 'coordinates' });
  // A hostile coordinate can estimate zero or less: it still ranks after our own records.
  cache.setNodeRtt('odd', { ms: -5, source: 'coordinates' });
  cache.nodeGone('dead');
  const records = cache.search({ includeStale: true }).records;
  assert.deepEqual(records.map((record) => record.nodeId), [SELF, 'odd', 'near', 'far', 'unknown', 'dead']);
  assert.equal(records[2]?.rttMs, 3.14);
  assert.deepEqual([records[5]?.rttMs, records[5]?.rttSource], [null, null], 'a stale record carries no round trip');
});

test('a probe’s figure overrides the coordinate estimate for that one record', () => {
  const cache = new RecordCache(SELF);
  cache.upsert('serf', rec({ port: 1 }));
  cache.upsert('serf', rec({ port: 2 }));
  cache.setNodeRtt('peer1', { ms: 50, source: 'coordinates' });
  cache.setProbe('peer1/syncthing/2', { ms: 2.5, source: 'probe' });
  assert.deepEqual(cache.search().records.map((record) => [record.port, record.rttMs, record.rttSource]), [[2, 2.5, 'probe'], [1, 50, 'coordinates']]);
  cache.setProbe('peer1/syncthing/2', null);
  cache.setNodeRtt('peer1', null);
  assert.deepEqual(cache.search().records.map((record) => record.rttSource), [null, null]);
});

test('prune forgets records stale for more than 7 days, counted from when they went stale', () => {
  const cache = new RecordCache(SELF);
  const now = Date.now();
  // Reported 8 days ago and unchanged since (a peer whose list did not change): live, never pruned.
  cache.upsert('serf', rec({ port: 1 }), now - 8 * DAY);
  cache.prune(now);
  assert.ok(cache.entry('peer1/syncthing/1'));
  cache.nodeGone('peer1', now);
  cache.prune(now + 3_600_000);
  assert.ok(cache.entry('peer1/syncthing/1'), 'stale for an hour: still searchable with includeStale');
  assert.equal(cache.search({ includeStale: true }).records[0]?.lastSeen, new Date(now).toISOString());
  cache.prune(now + 7 * DAY + 1);
  assert.equal(cache.entry('peer1/syncthing/1'), undefined);
});

test('restore() brings records back stale and within the caps; prune judges them by their lastSeen', () => {
  const cache = new RecordCache(SELF);
  const now = Date.now();
  cache.restore(rec({ port: 1 }), 'serf', now - 6 * DAY);
  cache.restore(rec({ port: 2 }), 'mdns', now - 8 * DAY);
  cache.upsert('serf', rec({ port: 3 }));
  cache.restore(rec({ port: 3, description: 'old' }), 'serf', now - DAY);
  assert.equal(cache.search().total, 1);
  assert.equal(cache.entry('peer1/syncthing/3')?.record.description, 'Syncthing', 'a live record is not overwritten');
  const stale = cache.search({ includeStale: true }).records.filter((record) => record.stale);
  assert.deepEqual(stale.map((record) => [record.port, record.source]).sort(), [[1, 'serf'], [2, 'mdns']]);
  cache.prune(now);
  assert.deepEqual(keysOf(cache, { includeStale: true }).sort(), ['peer1/syncthing/1', 'peer1/syncthing/3']);
});

test('onChange fires for real changes only', () => {
  const cache = new RecordCache(SELF);
  const events: string[][] = [];
  const stop = cache.onChange((keys) => events.push(keys));
  const key = recordKey(rec());
  cache.upsert('serf', rec());
  cache.upsert('serf', rec(), Date.now() + 10);
  cache.replaceNode('serf', 'peer1', [rec()]);
  assert.equal(events.length, 1, 'the same record again is no change');
  cache.upsert('serf', rec({ txt: { a: '1' } }));
  cache.upsert('mdns', rec({ txt: { a: '1' } }));
  assert.equal(events.length, 3);
  cache.withdraw('serf', key);
  cache.withdraw('serf', key);
  cache.withdraw('legacy', key);
  assert.equal(events.length, 4);
  cache.nodeGone('peer1');
  cache.nodeGone('peer1');
  cache.nodeGone('nobody');
  assert.deepEqual(events.slice(4), [[key]]);
  cache.prune(Date.now() + 8 * DAY);
  assert.deepEqual(events.at(-1), [key]);
  stop();
  cache.upsert('serf', rec());
  assert.equal(events.length, 6);
});
