// Unit tests of discovery's SQLite rows (a real database in a temp dir): identity, settings, manual publications, cache persistence.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';

import type { DiscoverySettings } from '../../shared/discovery-contract.ts';
import { type Db, openDatabase } from '../database.ts';
import { DiscoveryStore } from './discovery-store.ts';
import { defaultSettings } from './discovery-settings.ts';
import { RecordCache } from './record-cache.ts';
import type { CleanRecord } from './service-record.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'cloudy-discovery-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let databases = 0;
function freshDatabase(): { file: string; db: Db } {
  const file = path.join(dir, `node-${(databases += 1)}.db`);
  return { file, db: openDatabase(file) };
}

const rec = (port: number, overrides: Partial<CleanRecord> = {}): CleanRecord => ({
  type: 'syncthing', description: `Service ${port}`, node: 'h1', nodeId: 'peer1', address: '10.0.0.1', port, microcloud: 'guifi', txt: { n: String(port) }, ...overrides,
});

const storeSetting = (db: Db, value: string) => db.prepare("INSERT OR REPLACE INTO settings (key, value) VALUES ('discovery.settings', ?)").run(value);

test('the node id is made once and survives a reopen; so does the Serf RPC secret', () => {
  const { file, db } = freshDatabase();
  const store = new DiscoveryStore(db);
  const id = store.nodeId();
  assert.match(id, /^[a-z2-7]{10}$/);
  assert.equal(store.nodeId(), id);
  const auth = store.serfRpcAuth();
  assert.match(auth, /^[A-Za-z0-9_-]{32}$/);
  db.close();
  const reopened = new DiscoveryStore(openDatabase(file));
  assert.equal(reopened.nodeId(), id);
  assert.equal(reopened.serfRpcAuth(), auth);
  assert.notEqual(new DiscoveryStore(freshDatabase().db).nodeId(), id, 'another node gets another id');
});

test('settings: null before any save, then exactly what was saved', () => {
  const { file, db } = freshDatabase();
  const store = new DiscoveryStore(db);
  assert.equal(store.settings(), null);
  const saved: DiscoverySettings = { ...defaultSettings({ serfRpcPort: 7373 }), microcloud: 'sants', joinAddresses: ['10.0.0.2', 'node.example:7946'], serfPort: 7947, encryptKey: 'A'.repeat(22) + '==' };
  store.saveSettings(saved);
  assert.deepEqual(store.settings(), saved);
  db.close();
  assert.deepEqual(new DiscoveryStore(openDatabase(file)).settings(), saved);
});

test('settings: a saved subset is completed with defaults; invalid stored settings read as null', () => {
  const { db } = freshDatabase();
  const store = new DiscoveryStore(db);
  storeSetting(db, JSON.stringify({ microcloud: 'sants' }));
  assert.deepEqual(store.settings(), { ...defaultSettings({ serfRpcPort: 1 }), microcloud: 'sants' });
  const invalid = [{ serfPort: 80 }, { microcloud: 'Bad Cloud' }, { unknownKey: true }, { joinAddresses: 'x' }, [1, 2], 'text'].map((value) => JSON.stringify(value));
  // A damaged row must not stop cloudyd from starting: the start-up defaults apply instead.
  for (const stored of [...invalid, 'not json at all {', '']) {
    storeSetting(db, stored);
    assert.equal(store.settings(), null, `stored ${stored}`);
  }
});

test('manual publications: insert, update in place, list in order, remove', () => {
  const store = new DiscoveryStore(freshDatabase().db);
  assert.deepEqual(store.manualPublications(), []);
  store.savePublication({ type: 'webdav', port: 8080, description: 'Files', txt: { path: '/' } });
  store.savePublication({ type: 'proxy3', port: 3128, description: 'Proxy', txt: {} });
  store.savePublication({ type: 'webdav', port: 80, description: 'Old files', txt: {} });
  store.savePublication({ type: 'webdav', port: 8080, description: 'Shared files', txt: { path: '/shared' } });
  assert.deepEqual(store.manualPublications(), [
    { type: 'proxy3', port: 3128, description: 'Proxy', txt: {} },
    { type: 'webdav', port: 80, description: 'Old files', txt: {} },
    { type: 'webdav', port: 8080, description: 'Shared files', txt: { path: '/shared' } },
  ]);
  assert.equal(store.removePublication('webdav', 80), true);
  assert.equal(store.removePublication('webdav', 80), false);
  assert.equal(store.removePublication('proxy3', 8080), false);
  assert.deepEqual(store.manualPublications().map((publication) => publication.port), [3128, 8080]);
});

test('cache persistence: saved entries come back stale with their lastSeen; deleted keys leave the table', () => {
  const { file, db } = freshDatabase();
  const store = new DiscoveryStore(db);
  const cache = new RecordCache('selfnode01');
  const seenAt = Date.parse('2026-01-02T03:04:05.000Z');
  cache.upsert('serf', rec(1), seenAt);
  cache.upsert('mdns', rec(2, { nodeId: 'peer2', txt: {} }), seenAt + 1000);
  cache.upsert('legacy', rec(3, { nodeId: 'serf:old', description: 'Old node' }), seenAt + 2000);
  const keys = [...cache.allEntries()].map(([key]) => key);
  store.saveCacheEntries(cache, keys);
  db.close();

  const reopened = new DiscoveryStore(openDatabase(file));
  const restored = new RecordCache('selfnode01');
  reopened.loadCache(restored);
  assert.equal(restored.search().total, 0, 'nothing is live before a backend reports it again');
  const records = restored.search({ includeStale: true }).records;
  assert.deepEqual(records.map((record) => [record.key, record.source, record.lastSeen]).sort(), [
    ['peer1/syncthing/1', 'serf', '2026-01-02T03:04:05.000Z'],
    ['peer2/syncthing/2', 'mdns', '2026-01-02T03:04:06.000Z'],
    ['serf:old/syncthing/3', 'legacy', '2026-01-02T03:04:07.000Z'],
  ]);
  assert.deepEqual(restored.entry('peer1/syncthing/1')?.record, rec(1));

  // A key the cache no longer holds is deleted; the others are left as they were.
  reopened.saveCacheEntries(new RecordCache('selfnode01'), ['peer2/syncthing/2', 'never/was/1']);
  const again = new RecordCache('selfnode01');
  reopened.loadCache(again);
  assert.deepEqual([...again.allEntries()].map(([key]) => key).sort(), ['peer1/syncthing/1', 'serf:old/syncthing/3']);
});

test('loadCache skips rows whose record no longer passes cleaning', () => {
  const { db } = freshDatabase();
  const store = new DiscoveryStore(db);
  const insert = db.prepare('INSERT INTO discovered_services (key, record_json, source, last_seen) VALUES (?, ?, ?, ?)');
  insert.run('peer1/syncthing/1', JSON.stringify(rec(1)), 'serf', 1);
  insert.run('peer1/syncthing/2', JSON.stringify(rec(2, { address: 'not-an-ip' })), 'serf', 1);
  insert.run('peer1/x/3', JSON.stringify({ ...rec(3), type: '../etc' }), 'serf', 1);
  const cache = new RecordCache('selfnode01');
  store.loadCache(cache);
  assert.deepEqual([...cache.allEntries()].map(([key]) => key), ['peer1/syncthing/1']);
});
