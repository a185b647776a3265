// Discovery's rows in SQLite: the node's identity, its settings, manual publications and the record cache.
import { randomBytes } from 'node:crypto';

import { Value } from '@sinclair/typebox/value';

import { DiscoverySettings, type RecordSource } from '../../shared/discovery-contract.ts';
import type { Db } from '../database.ts';
import type { RecordCache } from './record-cache.ts';
import { type CleanRecord, cleanRecord, recordKey } from './service-record.ts';

export interface ManualPublication {
  type: string;
  port: number;
  description: string;
  txt: Record<string, string>;
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

export class DiscoveryStore {
  constructor(private readonly db: Db) {}

  private setting(key: string): string | null {
    return (this.db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined)?.value ?? null;
  }

  private saveSetting(key: string, value: string): void {
    this.db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  /** Made once, never changed: peers and caches key this node's records by it. */
  nodeId(): string {
    const existing = this.setting('node.id');
    if (existing) return existing;
    const id = [...randomBytes(10)].map((byte) => BASE32[byte % 32]).join('');
    this.db.prepare('INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)').run('node.id', id);
    return this.setting('node.id')!;
  }

  /** A secret the Serf agent requires on its RPC port, so other local users cannot drive it. */
  serfRpcAuth(): string {
    const existing = this.setting('discovery.rpc-auth');
    if (existing) return existing;
    this.db.prepare('INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)').run('discovery.rpc-auth', randomBytes(24).toString('base64url'));
    return this.setting('discovery.rpc-auth')!;
  }

  /** Saved settings, or null before the owner saved any or when the row is unreadable (then the start-up defaults apply). */
  settings(): DiscoverySettings | null {
    const saved = this.setting('discovery.settings');
    if (!saved) return null;
    let parsed: unknown;
    try {
      parsed = JSON.parse(saved);
    } catch {
      return null;
    }
    const merged = { ...(Value.Default(DiscoverySettings, {}) as object), ...(parsed as object) };
    return Value.Check(DiscoverySettings, merged) ? merged : null;
  }

  saveSettings(settings: DiscoverySettings): void {
    this.saveSetting('discovery.settings', JSON.stringify(settings));
  }

  manualPublications(): ManualPublication[] {
    const rows = this.db.prepare('SELECT type, port, description, txt_json FROM manual_publications ORDER BY type, port').all() as Array<{
      type: string;
      port: number;
      description: string;
      txt_json: string;
    }>;
    return rows.map((row) => ({ type: row.type, port: row.port, description: row.description, txt: JSON.parse(row.txt_json) as Record<string, string> }));
  }

  savePublication(publication: ManualPublication): void {
    this.db
      .prepare(
        `INSERT INTO manual_publications (type, port, description, txt_json, created_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (type, port) DO UPDATE SET description = excluded.description, txt_json = excluded.txt_json`,
      )
      .run(publication.type, publication.port, publication.description, JSON.stringify(publication.txt), new Date().toISOString());
  }

  removePublication(type: string, port: number): boolean {
    return this.db.prepare('DELETE FROM manual_publications WHERE type = ? AND port = ?').run(type, port).changes > 0;
  }

  /** Reads the cache back at start; every record is stale until a backend reports it again. */
  loadCache(cache: RecordCache): void {
    const rows = this.db.prepare('SELECT record_json, source, last_seen FROM discovered_services').all() as Array<{ record_json: string; source: RecordSource; last_seen: number }>;
    for (const row of rows) {
      const record = cleanRecord(JSON.parse(row.record_json) as Partial<CleanRecord>);
      if (record) cache.restore(record, row.source, row.last_seen);
    }
  }

  /** Writes the given keys' current state (or deletes them when the cache no longer has them) in one transaction. */
  saveCacheEntries(cache: RecordCache, keys: Iterable<string>): void {
    const upsert = this.db.prepare(
      `INSERT INTO discovered_services (key, record_json, source, last_seen) VALUES (?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET record_json = excluded.record_json, source = excluded.source, last_seen = excluded.last_seen`,
    );
    const remove = this.db.prepare('DELETE FROM discovered_services WHERE key = ?');
    this.db.transaction(() => {
      for (const key of keys) {
        const entry = cache.entry(key);
        if (entry) upsert.run(recordKey(entry.record), JSON.stringify(entry.record), entry.lastSource, entry.lastSeen);
        else remove.run(key);
      }
    })();
  }
}
