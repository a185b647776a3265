// Unit tests of Serf membership with fake fetches and a fake agent: when lists are fetched, fallbacks, gone members, limits.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test, type TestContext } from 'node:test';

import type { PeerService } from '../peer-document.ts';
import { RecordCache } from '../record-cache.ts';
import { formatCloudyTags, LEGACY_TAG } from './cloudy-tags.ts';
import { encodeLegacyServicesTag } from './legacy-services-tag.ts';
import { cutPages } from './record-pages.ts';
import { SerfMembership } from './serf-membership.ts';
import type { SerfCoordinate, SerfMember, SerfRpcClient } from './serf-rpc-client.ts';

const PIN = 'ARKbDnIe2kCuyX4E';
const SYNCTHING: PeerService = { type: 'syncthing', description: 'Syncthing', port: 22000, txt: { node_id: 'ABC' } };
const OLD_PROXY = encodeLegacyServicesTag([{ s: 'proxy3', d: 'Proxy', m: 'h9.guifi.local', i: '10.0.0.9', p: '3128', e: 'eth0', t: '' }]);

const digest = (n: number) => n.toString(16).padStart(12, '0');
const cloudyTags = (d: string) => formatCloudyTags({ apiPort: 7443, digest: d, count: 1, pin: PIN, microcloud: 'guifi' });
const member = (index: number, tags: Record<string, string>, status = 'alive'): SerfMember => ({ name: `peer${index}`, addr: `10.0.0.${index}`, port: 7946, tags, status, protocolCur: 5 });
const documentOf = (index: number, d: string, services = [SYNCTHING], coordinate: SerfCoordinate | null = null) => ({ protocol: 1, nodeId: `node${index}`, node: `h${index}`, microcloud: 'guifi', digest: d, coordinate, services });
const settle = async () => {
  for (let round = 0; round < 10; round++) await new Promise((resolve) => setImmediate(resolve));
};
const deferred = () => {
  let resolve!: (value: unknown) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<unknown>((ok, fail) => ((resolve = ok), (reject = fail)));
  return { promise, resolve, reject };
};

/** A membership over a real cache, with scripted fetches and queries, counting what runs at once. */
function harness(options: { fetch?: (address: string) => Promise<unknown>; page?: (member: string, page: number) => Promise<Buffer | null> } = {}) {
  const cache = new RecordCache('selfnode01');
  const fetched: string[] = [];
  const queried: Array<[string, number]> = [];
  const logs: string[] = [];
  const running = new Map<string, number>();
  const most = { total: 0, perMember: 0 };
  const membership = new SerfMembership({
    cache,
    selfName: () => 'me',
    fetchDocument: async ({ address, port, pin }) => {
      assert.deepEqual([port, pin], [7443, PIN]);
      fetched.push(address);
      running.set(address, (running.get(address) ?? 0) + 1);
      most.total = Math.max(most.total, [...running.values()].reduce((sum, count) => sum + count, 0));
      most.perMember = Math.max(most.perMember, running.get(address)!);
      try {
        return await (options.fetch ?? (() => Promise.reject(new Error('no HTTPS'))))(address);
      } finally {
        running.set(address, running.get(address)! - 1);
      }
    },
    queryPage: async (name, page) => (queried.push([name, page]), (options.page ?? (async () => null))(name, page)),
    log: (line) => logs.push(line),
  });
  const live = () => cache.search().records.map((record) => `${record.key} ${record.address} ${record.sources.join('+')}`);
  return { cache, membership, fetched, queried, logs, most, live };
}

const client = (members: () => SerfMember[], coordinates: Record<string, SerfCoordinate | null> = {}) =>
  ({ members: async () => members(), getCoordinate: async (name: string) => coordinates[name] ?? null }) as unknown as SerfRpcClient;

const mockTime = (t: TestContext) => t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 });

test('a Cloudy member is fetched once per digest, however often it is listed or announced', async () => {
  const pending = deferred();
  const { membership, fetched, live, most } = harness({ fetch: () => pending.promise });
  const list = [member(1, cloudyTags(digest(1))), member(0, {}, 'alive')];
  list[1]!.name = 'me';
  await membership.sync(client(() => list));
  await membership.sync(client(() => list));
  membership.update(list[0]!);
  membership.changed('peer1', digest(1));
  await settle();
  assert.deepEqual(fetched, ['10.0.0.1'], 'one fetch while the first is on its way; never our own member');
  pending.resolve(documentOf(1, digest(1)));
  await settle();
  assert.deepEqual(live(), ['node1/syncthing/22000 10.0.0.1 serf']);
  await membership.sync(client(() => list));
  membership.changed('peer1', digest(1));
  await settle();
  assert.equal(fetched.length, 1);
  assert.equal(most.perMember, 1);
  assert.deepEqual(membership.counts(), { members: 2, alive: 2 });
});

test('a changed digest brings one refetch, no sooner than a second after the last', async (t) => {
  mockTime(t);
  let current = digest(1);
  const { membership, fetched, live } = harness({ fetch: async () => documentOf(1, current, [{ ...SYNCTHING, description: `list ${current}` }]) });
  membership.update(member(1, cloudyTags(current)));
  await settle();
  current = digest(2);
  membership.update(member(1, cloudyTags(current)));
  await settle();
  assert.equal(fetched.length, 1, 'within the second');
  t.mock.timers.tick(1000);
  await settle();
  assert.equal(fetched.length, 2);
  assert.equal(membership.summary()[0]?.services, 1);
  membership.update(member(1, cloudyTags(current)));
  t.mock.timers.tick(5000);
  await settle();
  assert.equal(fetched.length, 2);
  assert.match(live()[0] ?? '', /^node1\/syncthing\/22000/);
});

test('a storm of change events: one fetch at a time per member and about one a second', async (t) => {
  mockTime(t);
  const first = deferred();
  let latest = digest(1);
  const { membership, fetched, most } = harness({ fetch: () => (fetched.length === 1 ? first.promise : Promise.resolve(documentOf(1, latest))) });
  membership.update(member(1, cloudyTags(latest)));
  for (let n = 2; n < 50; n++) membership.changed('peer1', (latest = digest(n)));
  await settle();
  assert.equal(fetched.length, 1, 'no second fetch while the first is on its way');
  first.resolve(documentOf(1, digest(1)));
  await settle();
  for (let ms = 0; ms < 3000; ms += 20) {
    membership.changed('peer1', (latest = digest(1000 + ms)));
    t.mock.timers.tick(20);
    await settle();
  }
  assert.ok(fetched.length >= 3 && fetched.length <= 5, `${fetched.length} fetches in about 3 s`);
  assert.equal(most.perMember, 1);
});

test('at most 4 fetches at once; the others wait their turn', async () => {
  const waiting: Array<ReturnType<typeof deferred> & { address: string }> = [];
  const { membership, fetched, most, live } = harness({ fetch: (address) => (waiting.push({ address, ...deferred() }), waiting.at(-1)!.promise) });
  const list = Array.from({ length: 10 }, (_, index) => member(index + 1, cloudyTags(digest(index + 1))));
  await membership.sync(client(() => list));
  await settle();
  assert.equal(fetched.length, 4);
  for (let done = 0; done < 10; done++) {
    const next = waiting[done]!;
    const index = Number(next.address.split('.').at(-1));
    next.resolve(documentOf(index, digest(index)));
    await settle();
    assert.ok(fetched.length <= Math.min(10, done + 5));
  }
  assert.equal(most.total, 4);
  assert.equal(live().length, 10);
});

test('a failed member’s records go stale; a member gone from the list goes stale and unlisted', async () => {
  const { membership, live, cache } = harness({ fetch: async (address) => documentOf(Number(address.split('.').at(-1)), digest(1)) });
  const list = [member(1, cloudyTags(digest(1))), member(2, cloudyTags(digest(1)))];
  await membership.sync(client(() => list));
  await settle();
  assert.equal(live().length, 2);
  membership.update({ ...list[0]!, status: 'failed' });
  assert.deepEqual(live(), ['node2/syncthing/22000 10.0.0.2 serf']);
  assert.deepEqual(membership.counts(), { members: 3, alive: 2 });
  await membership.sync(client(() => [{ ...list[0]!, status: 'failed' }]));
  assert.deepEqual(live(), []);
  assert.deepEqual(membership.summary().map((entry) => [entry.name, entry.status]), [['peer1', 'failed']]);
  assert.equal(cache.search({ includeStale: true }).total, 2);
});

test('a 2015 member’s services tag becomes legacy records, without any fetch', async () => {
  const { membership, fetched, live } = harness();
  membership.update(member(7, { [LEGACY_TAG]: OLD_PROXY }));
  await settle();
  assert.deepEqual(fetched, []);
  assert.deepEqual(live(), ['serf:peer7/proxy3/3128 10.0.0.9 legacy']);
  membership.update(member(7, {}));
  assert.deepEqual(live(), [], 'a tag withdrawn withdraws its records');
  membership.update(member(7, { [LEGACY_TAG]: 'not a tag!' }));
  assert.match(membership.summary()[0]?.name ?? '', /peer7/);
});

test('HTTPS failing, the list is read page by page over Serf queries', async () => {
  const pages = cutPages({ ...documentOf(3, digest(3)), services: Array.from({ length: 40 }, (_, index) => ({ ...SYNCTHING, port: 1000 + index, txt: { node_id: randomBytes(30).toString('hex') } })) });
  assert.ok(pages.length > 1);
  const { membership, queried, live } = harness({ page: async (_name, page) => pages[page] ?? null });
  membership.update(member(3, cloudyTags(digest(3))));
  await settle();
  assert.deepEqual(queried, pages.map((_, index) => ['peer3', index]));
  assert.equal(live().length, 40);
  assert.ok(live().every((line) => line.endsWith(' 10.0.0.3 serf')));
});

test('HTTPS and queries failing, a Cloudy member’s 2015 tag is read instead', async () => {
  const { membership, live, logs } = harness();
  membership.update(member(4, { ...cloudyTags(digest(4)), [LEGACY_TAG]: OLD_PROXY }));
  await settle();
  assert.deepEqual(live(), ['serf:peer4/proxy3/3128 10.0.0.9 legacy']);
  assert.match(logs.join('\n'), /cannot fetch the services of peer4 \(10\.0\.0\.4\): no HTTPS; over a Serf query: it did not answer/);
});

test('a fetch that ends after its member failed or left brings nothing back', async () => {
  const pending = new Map<string, ReturnType<typeof deferred>>();
  const { membership, live, fetched } = harness({ fetch: (address) => (pending.set(address, deferred()), pending.get(address)!.promise) });
  const tags = { ...cloudyTags(digest(1)), [LEGACY_TAG]: OLD_PROXY };
  const list = [member(1, tags), member(2, tags)];
  await membership.sync(client(() => list));
  await settle();
  membership.update({ ...list[0]!, status: 'failed' });
  await membership.sync(client(() => [list[0]!].map((entry) => ({ ...entry, status: 'failed' }))));
  pending.get('10.0.0.1')!.resolve(documentOf(1, digest(1)));
  pending.get('10.0.0.2')!.reject(new Error('timed out'));
  await settle();
  assert.deepEqual(live(), [], 'neither the late list nor the 2015 tag of a gone member is current');
  membership.changed('peer1', digest(9));
  await settle();
  assert.equal(fetched.length, 2, 'a failed member is not fetched');
});

test('2015 records read while a Cloudy list was unreachable go once the list is back', async (t) => {
  mockTime(t);
  let reachable = true;
  const { membership, live } = harness({ fetch: async () => (reachable ? documentOf(5, digest(2)) : Promise.reject(new Error('refused'))) });
  const alive = (d: string) => member(5, { ...cloudyTags(d), [LEGACY_TAG]: OLD_PROXY });
  membership.update(alive(digest(2)));
  await settle();
  membership.update({ ...alive(digest(2)), status: 'failed' });
  reachable = false;
  t.mock.timers.tick(1000);
  membership.update(alive(digest(2)));
  await settle();
  assert.deepEqual(live(), ['node5/proxy3/3128 10.0.0.9 legacy']);
  reachable = true;
  t.mock.timers.tick(2000);
  await settle();
  assert.deepEqual(live(), ['node5/syncthing/22000 10.0.0.5 serf']);
});

test('refreshRtt estimates from coordinates; one of another dimensionality is skipped, not fatal', async () => {
  const eight = (first: number, height: number): SerfCoordinate => ({ vec: [first, 0, 0, 0, 0, 0, 0, 0], error: 0.5, adjustment: 0, height });
  const odd: SerfCoordinate = { vec: [0.001, 0, 0], error: 0.5, adjustment: 0, height: 0 };
  const { membership, cache } = harness({ fetch: async (address) => (address === '10.0.0.1' ? documentOf(1, digest(1), [SYNCTHING], odd) : documentOf(2, digest(1))) });
  const list = [member(1, cloudyTags(digest(1))), member(2, cloudyTags(digest(1)))];
  await membership.sync(client(() => list));
  await settle();
  await membership.refreshRtt(client(() => list, { me: eight(0, 0), peer2: eight(0.003, 0.0005) }));
  assert.deepEqual(cache.search().records.map((record) => [record.nodeId, record.rttMs, record.rttSource]), [['node2', 3.5, 'coordinates'], ['node1', null, null]]);
  assert.deepEqual(membership.summary().map((entry) => entry.rttMs), [null, 3.5]);
  assert.deepEqual(membership.selfCoordinate, eight(0, 0));
});
