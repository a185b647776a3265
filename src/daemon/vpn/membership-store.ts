// The member side's SQLite state: which networks this node belongs to, the server to follow and the last member list.
import type { NetworkState } from '../../shared/vpn-contract.ts';
import type { Db } from '../database.ts';
import type { ServerPins } from './pinned-https.ts';

export type MembershipPhase = 'joining' | 'joined' | 'revoked' | 'unreachable';

export interface Membership {
  network: string;
  serverUrl: string;
  serverPin: string;
  /** SHA-256 of the server's public key (SPKI), once a pinned connection showed it; null before. */
  serverKeyPin: string | null;
  /** The server is this node itself: changes come in-process, not over HTTPS. */
  local: boolean;
  name: string | null;
  memberSecret: string | null;
  phase: MembershipPhase;
  /** The last member list the server sent; null until enrolment succeeded. */
  state: NetworkState | null;
  port: number;
  joinedAt: string;
  updatedAt: string;
}

interface Row {
  network: string;
  server_url: string;
  server_pin: string;
  server_key_pin: string | null;
  local: number;
  name: string | null;
  member_secret: string | null;
  state: MembershipPhase;
  state_json: string | null;
  port: number;
  joined_at: string;
  updated_at: string;
}

const fromRow = (row: Row): Membership => ({
  network: row.network,
  serverUrl: row.server_url,
  serverPin: row.server_pin,
  serverKeyPin: row.server_key_pin,
  local: row.local === 1,
  name: row.name,
  memberSecret: row.member_secret,
  phase: row.state,
  state: row.state_json ? (JSON.parse(row.state_json) as NetworkState) : null,
  port: row.port,
  joinedAt: row.joined_at,
  updatedAt: row.updated_at,
});

export class MembershipStore {
  constructor(private readonly db: Db) {}

  all(): Membership[] {
    return (this.db.prepare('SELECT * FROM vpn_memberships ORDER BY joined_at').all() as Row[]).map(fromRow);
  }

  get(network: string): Membership | undefined {
    const row = this.db.prepare('SELECT * FROM vpn_memberships WHERE network = ?').get(network) as Row | undefined;
    return row ? fromRow(row) : undefined;
  }

  begin(network: string, serverUrl: string, serverPin: string, local: boolean, port: number): void {
    const now = new Date().toISOString();
    this.db
      .prepare(
        `INSERT INTO vpn_memberships (network, server_url, server_pin, local, state, port, joined_at, updated_at) VALUES (?, ?, ?, ?, 'joining', ?, ?, ?)
         ON CONFLICT (network) DO UPDATE SET server_url = excluded.server_url, server_pin = excluded.server_pin, server_key_pin = NULL, local = excluded.local, updated_at = excluded.updated_at`,
      )
      .run(network, serverUrl, serverPin, local ? 1 : 0, port, now, now);
  }

  /** Saved before any file is written: after a crash, the node knows what it enrolled as and can finish the join. */
  enrolled(network: string, name: string, memberSecret: string | null, state: NetworkState): void {
    this.db
      .prepare('UPDATE vpn_memberships SET name = ?, member_secret = ?, state_json = ?, updated_at = ? WHERE network = ?')
      .run(name, memberSecret, JSON.stringify(state), new Date().toISOString(), network);
  }

  update(network: string, changes: { phase?: MembershipPhase; state?: NetworkState }): void {
    const current = this.get(network);
    if (!current) return;
    this.db
      .prepare('UPDATE vpn_memberships SET state = ?, state_json = ?, updated_at = ? WHERE network = ?')
      .run(changes.phase ?? current.phase, JSON.stringify(changes.state ?? current.state), new Date().toISOString(), network);
  }

  /** The server's certificate and key as a pinned connection just presented them. */
  pinServer(network: string, pins: ServerPins): void {
    this.db.prepare('UPDATE vpn_memberships SET server_pin = ?, server_key_pin = ? WHERE network = ?').run(pins.pin, pins.keyPin, network);
  }

  remove(network: string): void {
    this.db.prepare('DELETE FROM vpn_memberships WHERE network = ?').run(network);
  }
}
