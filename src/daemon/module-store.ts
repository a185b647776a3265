// Per-module rows in SQLite: desired state (enabled), saved config, whether it is applied, secrets.
import { randomBytes } from 'node:crypto';

import type { Db } from './database.ts';

export interface StoredModule {
  enabled: boolean;
  config: Record<string, unknown> | null;
  configApplied: boolean;
  setupVersion: number;
}

export class ModuleStore {
  constructor(private readonly db: Db) {}

  get(module: string): StoredModule {
    const row = this.db.prepare('SELECT enabled, config_json, config_applied, setup_version FROM module_state WHERE module = ?').get(module) as
      | { enabled: number; config_json: string | null; config_applied: number; setup_version: number }
      | undefined;
    return {
      enabled: row?.enabled === 1,
      config: row?.config_json ? (JSON.parse(row.config_json) as Record<string, unknown>) : null,
      configApplied: row?.config_applied === 1,
      setupVersion: row?.setup_version ?? 0,
    };
  }

  update(module: string, patch: Partial<StoredModule>): void {
    const next = { ...this.get(module), ...patch };
    this.db
      .prepare(
        `INSERT INTO module_state (module, enabled, config_json, config_applied, setup_version, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (module) DO UPDATE SET enabled = excluded.enabled, config_json = excluded.config_json,
           config_applied = excluded.config_applied, setup_version = excluded.setup_version, updated_at = excluded.updated_at`,
      )
      .run(module, next.enabled ? 1 : 0, next.config ? JSON.stringify(next.config) : null, next.configApplied ? 1 : 0, next.setupVersion, new Date().toISOString());
  }

  /** Creates missing secrets once; existing ones never change (daemons and peers rely on them). */
  secrets(module: string, names: string[]): Record<string, string> {
    const insert = this.db.prepare('INSERT OR IGNORE INTO module_secrets (module, name, value) VALUES (?, ?, ?)');
    for (const name of names) insert.run(module, name, randomBytes(24).toString('base64url'));
    const rows = this.db.prepare('SELECT name, value FROM module_secrets WHERE module = ?').all(module) as Array<{ name: string; value: string }>;
    return Object.fromEntries(rows.filter((row) => names.includes(row.name)).map((row) => [row.name, row.value]));
  }
}
