// cloudyd's SQLite state: one file, WAL, migrations numbered by PRAGMA user_version.
import Database from 'better-sqlite3';

export type Db = Database.Database;

/** Append only: a migration that shipped is never edited. */
const MIGRATIONS: string[] = [
  `CREATE TABLE users (
     username TEXT PRIMARY KEY,
     password_hash TEXT NOT NULL,
     role TEXT NOT NULL CHECK (role IN ('admin', 'user')),
     language TEXT NOT NULL DEFAULT 'en',
     created_at TEXT NOT NULL
   );
   CREATE TABLE sessions (
     token_hash TEXT PRIMARY KEY,
     username TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,
     csrf_token TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     last_seen_at INTEGER NOT NULL
   );
   CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE module_state (
     module TEXT PRIMARY KEY,
     enabled INTEGER NOT NULL DEFAULT 0,
     config_json TEXT,
     config_applied INTEGER NOT NULL DEFAULT 0,
     setup_version INTEGER NOT NULL DEFAULT 0,
     updated_at TEXT NOT NULL
   );
   CREATE TABLE module_secrets (
     module TEXT NOT NULL,
     name TEXT NOT NULL,
     value TEXT NOT NULL,
     PRIMARY KEY (module, name)
   );
   CREATE TABLE operations (
     id TEXT PRIMARY KEY,
     module TEXT NOT NULL,
     kind TEXT NOT NULL,
     state TEXT NOT NULL CHECK (state IN ('waiting', 'running', 'completed', 'failed')),
     progress REAL NOT NULL DEFAULT 0,
     message TEXT NOT NULL DEFAULT '',
     error TEXT,
     log_json TEXT NOT NULL DEFAULT '[]',
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL
   );
   CREATE INDEX operations_by_time ON operations (created_at);`,
  `CREATE TABLE discovered_services (
     key TEXT PRIMARY KEY,
     record_json TEXT NOT NULL,
     source TEXT NOT NULL,
     last_seen INTEGER NOT NULL
   );
   CREATE TABLE manual_publications (
     type TEXT NOT NULL,
     port INTEGER NOT NULL,
     description TEXT NOT NULL,
     txt_json TEXT NOT NULL,
     created_at TEXT NOT NULL,
     PRIMARY KEY (type, port)
   );`,
  `CREATE TABLE vpn_networks (
     name TEXT PRIMARY KEY,
     subnet TEXT NOT NULL,
     mode TEXT NOT NULL CHECK (mode IN ('router', 'switch')),
     join_policy TEXT NOT NULL DEFAULT 'token',
     legacy_enabled INTEGER NOT NULL DEFAULT 0,
     legacy_key TEXT NOT NULL,
     version INTEGER NOT NULL DEFAULT 0,
     created_at TEXT NOT NULL
   );
   CREATE TABLE vpn_members (
     network TEXT NOT NULL REFERENCES vpn_networks(name) ON DELETE CASCADE,
     name TEXT NOT NULL,
     public_key TEXT NOT NULL,
     address TEXT NOT NULL,
     endpoint_host TEXT,
     endpoint_port INTEGER,
     seen_from TEXT NOT NULL,
     secret_hash TEXT NOT NULL,
     invited_by TEXT NOT NULL,
     state TEXT NOT NULL CHECK (state IN ('active', 'revoked', 'left')),
     joined_at TEXT NOT NULL,
     last_seen TEXT,
     PRIMARY KEY (network, name),
     UNIQUE (network, address)
   );
   CREATE TABLE vpn_tokens (
     id TEXT PRIMARY KEY,
     network TEXT NOT NULL REFERENCES vpn_networks(name) ON DELETE CASCADE,
     secret_hash TEXT NOT NULL,
     uses INTEGER NOT NULL,
     used INTEGER NOT NULL DEFAULT 0,
     expires_at INTEGER NOT NULL,
     created_at TEXT NOT NULL,
     created_by TEXT NOT NULL,
     revoked INTEGER NOT NULL DEFAULT 0
   );
   CREATE TABLE vpn_audit (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     network TEXT NOT NULL,
     time TEXT NOT NULL,
     event TEXT NOT NULL,
     member TEXT NOT NULL,
     detail TEXT NOT NULL
   );
   CREATE TABLE vpn_memberships (
     network TEXT PRIMARY KEY,
     server_url TEXT NOT NULL,
     server_pin TEXT NOT NULL,
     local INTEGER NOT NULL DEFAULT 0,
     name TEXT,
     member_secret TEXT,
     state TEXT NOT NULL,
     state_json TEXT,
     port INTEGER NOT NULL,
     joined_at TEXT NOT NULL,
     updated_at TEXT NOT NULL
   );`,
  // The SHA-256 of the server's public key, learnt on the first pinned connection: the server keeps its key when a
  // hostname change reissues its certificate, so members follow the new certificate (decision AF).
  `ALTER TABLE vpn_memberships ADD COLUMN server_key_pin TEXT;`,
  // An operation's current message in every panel language (JSON {en, ca, es}); `message` keeps the English.
  `ALTER TABLE operations ADD COLUMN message_text TEXT;`,
  // Items of the lists modules declare (CollectionSpec): WebDAV shares and users, proxy users. Only a bcrypt hash of a
  // password is kept. seq keeps the order they were added in.
  `CREATE TABLE module_items (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     module TEXT NOT NULL,
     collection TEXT NOT NULL,
     key TEXT NOT NULL,
     values_json TEXT NOT NULL,
     password_hash TEXT,
     updated_at TEXT NOT NULL,
     UNIQUE (module, collection, key)
   );`,
  // Tokens a Prometheus server scrapes /metrics with; only their SHA-256 is kept.
  `CREATE TABLE metrics_tokens (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     token_hash TEXT NOT NULL UNIQUE,
     created_at TEXT NOT NULL,
     created_by TEXT NOT NULL,
     last_used_at TEXT
   );`,
];

export function openDatabase(file: string): Db {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (let version = current; version < MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version]!);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}
