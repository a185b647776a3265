// The tokens Prometheus servers scrape /metrics with: made by an administrator, shown once, kept as SHA-256 (they are
// 256 random bits, so a fast hash is enough), revocable, and stamped with when they were last used.
import { createHash, randomBytes } from 'node:crypto';

import type { MetricsTokenCreated, MetricsTokenView } from '../../shared/metrics-contract.ts';
import { conflict, notFound } from '../api-error.ts';
import type { Db } from '../database.ts';

interface TokenRow {
  id: string;
  name: string;
  created_at: string;
  created_by: string;
  last_used_at: string | null;
}

const MAX_TOKENS = 50;
/** Scrapes come every 15–60 s; writing last-used on each would be a write per scrape for nothing. */
const LAST_USED_WRITE_INTERVAL_MS = 60_000;

const digest = (token: string) => createHash('sha256').update(token).digest('hex');
const view = (row: TokenRow): MetricsTokenView => ({ id: row.id, name: row.name, createdAt: row.created_at, createdBy: row.created_by, lastUsedAt: row.last_used_at });

export class MetricsTokens {
  private readonly lastWritten = new Map<string, number>();

  constructor(private readonly db: Db) {}

  create(name: string, createdBy: string): MetricsTokenCreated {
    const count = (this.db.prepare('SELECT COUNT(*) AS n FROM metrics_tokens').get() as { n: number }).n;
    if (count >= MAX_TOKENS) throw conflict(`There are already ${MAX_TOKENS} metrics tokens; revoke one first.`);
    const token = randomBytes(32).toString('base64url');
    const row: TokenRow = { id: randomBytes(6).toString('hex'), name, created_at: new Date().toISOString(), created_by: createdBy, last_used_at: null };
    this.db
      .prepare('INSERT INTO metrics_tokens (id, name, token_hash, created_at, created_by) VALUES (?, ?, ?, ?, ?)')
      .run(row.id, row.name, digest(token), row.created_at, row.created_by);
    return { ...view(row), token };
  }

  list(): MetricsTokenView[] {
    return (this.db.prepare('SELECT id, name, created_at, created_by, last_used_at FROM metrics_tokens ORDER BY created_at').all() as TokenRow[]).map(view);
  }

  revoke(id: string): void {
    if (this.db.prepare('DELETE FROM metrics_tokens WHERE id = ?').run(id).changes === 0) throw notFound(`Metrics token ${id}`);
  }

  /** True when `presented` is a live token. */
  accepts(presented: string): boolean {
    const row = this.db.prepare('SELECT id FROM metrics_tokens WHERE token_hash = ?').get(digest(presented)) as { id: string } | undefined;
    if (!row) return false;
    const now = Date.now();
    if (now - (this.lastWritten.get(row.id) ?? 0) > LAST_USED_WRITE_INTERVAL_MS) {
      this.lastWritten.set(row.id, now);
      this.db.prepare('UPDATE metrics_tokens SET last_used_at = ? WHERE id = ?').run(new Date(now).toISOString(), row.id);
    }
    return true;
  }
}
