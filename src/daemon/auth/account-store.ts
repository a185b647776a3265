// Local accounts and their sessions, kept in SQLite.
import { createHash, randomBytes } from 'node:crypto';

import type { Language, Role } from '../../shared/api-contract.ts';
import type { Db } from '../database.ts';
import { hashPassword, UNKNOWN_USER_HASH, verifyPassword } from './password-hash.ts';

export interface Account {
  username: string;
  role: Role;
  language: Language;
}

export interface Session extends Account {
  csrfToken: string;
}

/** Sessions end after 12 idle hours or 7 days, whichever comes first. */
const IDLE_LIMIT_MS = 12 * 3600_000;
const ABSOLUTE_LIMIT_MS = 7 * 24 * 3600_000;

const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

export class AccountStore {
  /** Prepared once: every authenticated request looks its session up. */
  private readonly sessionLookup;
  private readonly sessionTouch;

  constructor(private readonly db: Db) {
    this.sessionLookup = db.prepare(
      `SELECT s.token_hash, s.csrf_token, s.created_at, s.last_seen_at, u.username, u.role, u.language
         FROM sessions s JOIN users u ON u.username = s.username WHERE s.token_hash = ?`,
    );
    this.sessionTouch = db.prepare('UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?');
  }

  hasAdmin(): boolean {
    return this.db.prepare(`SELECT 1 FROM users WHERE role = 'admin' LIMIT 1`).get() !== undefined;
  }

  /** Creates the first administrator, or returns null when one already exists (two setups raced). */
  async createFirstAdmin(username: string, password: string, language: Language): Promise<Account | null> {
    const passwordHash = await hashPassword(password);
    return this.db.transaction(() => {
      if (this.hasAdmin()) return null;
      this.db.prepare('INSERT INTO users (username, password_hash, role, language, created_at) VALUES (?, ?, ?, ?, ?)').run(username, passwordHash, 'admin', language, new Date().toISOString());
      return { username, role: 'admin' as const, language };
    }).immediate();
  }

  async create(username: string, password: string, role: Role, language: Language): Promise<Account> {
    const passwordHash = await hashPassword(password);
    this.db
      .prepare('INSERT INTO users (username, password_hash, role, language, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(username, passwordHash, role, language, new Date().toISOString());
    return { username, role, language };
  }

  /** Returns the account when the password matches; always spends the same work. */
  async authenticate(username: string, password: string): Promise<Account | null> {
    const row = this.db.prepare('SELECT username, password_hash, role, language FROM users WHERE username = ?').get(username) as
      | { username: string; password_hash: string; role: Role; language: Language }
      | undefined;
    const matches = await verifyPassword(password, row?.password_hash ?? UNKNOWN_USER_HASH);
    return row && matches ? { username: row.username, role: row.role, language: row.language } : null;
  }

  list(): Account[] {
    return this.db.prepare('SELECT username, role, language FROM users ORDER BY username').all() as Account[];
  }

  exists(username: string): boolean {
    return this.db.prepare('SELECT 1 FROM users WHERE username = ?').get(username) !== undefined;
  }

  /** Refuses to remove the last administrator: the node would have nobody to manage it. */
  remove(username: string): 'removed' | 'missing' | 'last_admin' {
    return this.db.transaction(() => {
      const row = this.db.prepare('SELECT role FROM users WHERE username = ?').get(username) as { role: Role } | undefined;
      if (!row) return 'missing' as const;
      const admins = (this.db.prepare(`SELECT COUNT(*) AS count FROM users WHERE role = 'admin'`).get() as { count: number }).count;
      if (row.role === 'admin' && admins <= 1) return 'last_admin' as const;
      this.db.prepare('DELETE FROM users WHERE username = ?').run(username);
      return 'removed' as const;
    })();
  }

  async changePassword(username: string, newPassword: string): Promise<void> {
    const passwordHash = await hashPassword(newPassword);
    this.db.transaction(() => {
      this.db.prepare('UPDATE users SET password_hash = ? WHERE username = ?').run(passwordHash, username);
      this.db.prepare('DELETE FROM sessions WHERE username = ?').run(username);
    })();
  }

  setLanguage(username: string, language: Language): void {
    this.db.prepare('UPDATE users SET language = ? WHERE username = ?').run(language, username);
  }

  openSession(username: string): { token: string; csrfToken: string } {
    const token = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(32).toString('base64url');
    const now = Date.now();
    this.db.prepare('INSERT INTO sessions (token_hash, username, csrf_token, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?)').run(tokenHash(token), username, csrfToken, now, now);
    return { token, csrfToken };
  }

  findSession(token: string): Session | null {
    const row = this.sessionLookup.get(tokenHash(token)) as
      | { token_hash: string; csrf_token: string; created_at: number; last_seen_at: number; username: string; role: Role; language: Language }
      | undefined;
    if (!row) return null;
    const now = Date.now();
    if (now - row.last_seen_at > IDLE_LIMIT_MS || now - row.created_at > ABSOLUTE_LIMIT_MS) {
      this.db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(row.token_hash);
      return null;
    }
    // Refresh at most once a minute: a busy panel must not turn every read into a write.
    if (now - row.last_seen_at > 60_000) this.sessionTouch.run(now, row.token_hash);
    return { username: row.username, role: row.role, language: row.language, csrfToken: row.csrf_token };
  }

  closeSession(token: string): void {
    this.db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(tokenHash(token));
  }
}
