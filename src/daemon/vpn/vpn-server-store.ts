// The VPN server's SQLite state: networks, members, join tokens and the per-network audit.
import { randomBytes } from 'node:crypto';

import type { AuditEntry, Endpoint, MemberView, NetworkView, TokenView, VpnMode } from '../../shared/vpn-contract.ts';
import type { Db } from '../database.ts';

export interface NetworkRow {
  name: string;
  subnet: string;
  mode: VpnMode;
  join_policy: string;
  legacy_enabled: number;
  legacy_key: string;
  version: number;
  created_at: string;
}

export interface MemberRow {
  network: string;
  name: string;
  public_key: string;
  address: string;
  endpoint_host: string | null;
  endpoint_port: number | null;
  seen_from: string;
  secret_hash: string;
  invited_by: string;
  state: 'active' | 'revoked' | 'left';
  joined_at: string;
  last_seen: string | null;
}

export interface TokenRow {
  id: string;
  network: string;
  secret_hash: string;
  uses: number;
  used: number;
  expires_at: number;
  created_at: string;
  created_by: string;
  revoked: number;
}

export interface NewMember {
  network: string;
  name: string;
  publicKey: string;
  address: string;
  endpoint?: Endpoint;
  seenFrom: string;
  secretHash: string;
  invitedBy: string;
}

export class VpnServerStore {
  constructor(private readonly db: Db) {}

  /** Runs `work` in one immediate transaction: SQLite serialises writers, so allocation never races. */
  transaction<T>(work: () => T): T {
    return this.db.transaction(work).immediate();
  }

  networks(): NetworkRow[] {
    return this.db.prepare('SELECT * FROM vpn_networks ORDER BY name').all() as NetworkRow[];
  }

  network(name: string): NetworkRow | undefined {
    return this.db.prepare('SELECT * FROM vpn_networks WHERE name = ?').get(name) as NetworkRow | undefined;
  }

  insertNetwork(name: string, subnet: string, mode: VpnMode, legacyEnabled: boolean): void {
    this.db
      .prepare('INSERT INTO vpn_networks (name, subnet, mode, legacy_enabled, legacy_key, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(name, subnet, mode, legacyEnabled ? 1 : 0, randomBytes(12).toString('hex'), new Date().toISOString());
  }

  setLegacy(name: string, enabled: boolean): void {
    this.db.prepare('UPDATE vpn_networks SET legacy_enabled = ? WHERE name = ?').run(enabled ? 1 : 0, name);
  }

  /** Every change members must hear about bumps the network's version; their long-polls wait for it. */
  bumpVersion(name: string): number {
    this.db.prepare('UPDATE vpn_networks SET version = version + 1 WHERE name = ?').run(name);
    return this.network(name)!.version;
  }

  members(network: string): MemberRow[] {
    return this.db.prepare('SELECT * FROM vpn_members WHERE network = ? ORDER BY joined_at, name').all(network) as MemberRow[];
  }

  member(network: string, name: string): MemberRow | undefined {
    return this.db.prepare('SELECT * FROM vpn_members WHERE network = ? AND name = ?').get(network, name) as MemberRow | undefined;
  }

  memberByKey(network: string, publicKey: string): MemberRow | undefined {
    return this.db.prepare(`SELECT * FROM vpn_members WHERE network = ? AND public_key = ? AND state = 'active'`).get(network, publicKey) as MemberRow | undefined;
  }

  /** A 2015 client is known by the hash of its MAC and the network key, kept hashed like a member secret. */
  memberBySecretHash(network: string, secretHash: string): MemberRow | undefined {
    return this.db.prepare('SELECT * FROM vpn_members WHERE network = ? AND secret_hash = ?').get(network, secretHash) as MemberRow | undefined;
  }

  /** A 2015 client sends its key and endpoint again every hour; they may have changed. */
  updateLegacyMember(network: string, name: string, publicKey: string, endpoint: Endpoint | undefined, seenFrom: string): void {
    this.db
      .prepare('UPDATE vpn_members SET public_key = ?, endpoint_host = ?, endpoint_port = ?, seen_from = ?, last_seen = ? WHERE network = ? AND name = ?')
      .run(publicKey, endpoint?.host ?? null, endpoint?.port ?? null, seenFrom, new Date().toISOString(), network, name);
  }

  /** Every address ever handed out in the network: a revoked member's address is not given to someone else. */
  takenAddresses(network: string): string[] {
    return (this.db.prepare('SELECT address FROM vpn_members WHERE network = ?').all(network) as Array<{ address: string }>).map((row) => row.address);
  }

  takenNames(network: string): Set<string> {
    return new Set((this.db.prepare('SELECT name FROM vpn_members WHERE network = ?').all(network) as Array<{ name: string }>).map((row) => row.name));
  }

  insertMember(member: NewMember): void {
    this.db
      .prepare(
        `INSERT INTO vpn_members (network, name, public_key, address, endpoint_host, endpoint_port, seen_from, secret_hash, invited_by, state, joined_at, last_seen)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?)`,
      )
      .run(member.network, member.name, member.publicKey, member.address, member.endpoint?.host ?? null, member.endpoint?.port ?? null, member.seenFrom, member.secretHash, member.invitedBy, new Date().toISOString(), new Date().toISOString());
  }

  /** A member that enrols again with the same key (a retry after a crash) gets a new secret and its new endpoint. */
  renewMember(network: string, name: string, secretHash: string, endpoint: Endpoint | undefined, seenFrom: string): void {
    this.db
      .prepare('UPDATE vpn_members SET secret_hash = ?, endpoint_host = ?, endpoint_port = ?, seen_from = ?, last_seen = ? WHERE network = ? AND name = ?')
      .run(secretHash, endpoint?.host ?? null, endpoint?.port ?? null, seenFrom, new Date().toISOString(), network, name);
  }

  setMemberState(network: string, name: string, state: MemberRow['state']): void {
    this.db.prepare('UPDATE vpn_members SET state = ? WHERE network = ? AND name = ?').run(state, network, name);
  }

  touchMember(network: string, name: string): void {
    this.db.prepare('UPDATE vpn_members SET last_seen = ? WHERE network = ? AND name = ?').run(new Date().toISOString(), network, name);
  }

  insertToken(row: Omit<TokenRow, 'used' | 'revoked'>): void {
    this.db
      .prepare('INSERT INTO vpn_tokens (id, network, secret_hash, uses, expires_at, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(row.id, row.network, row.secret_hash, row.uses, row.expires_at, row.created_at, row.created_by);
  }

  token(id: string): TokenRow | undefined {
    return this.db.prepare('SELECT * FROM vpn_tokens WHERE id = ?').get(id) as TokenRow | undefined;
  }

  tokens(network: string): TokenRow[] {
    return this.db.prepare('SELECT * FROM vpn_tokens WHERE network = ? ORDER BY created_at DESC').all(network) as TokenRow[];
  }

  useToken(id: string): void {
    this.db.prepare('UPDATE vpn_tokens SET used = used + 1 WHERE id = ?').run(id);
  }

  revokeToken(id: string): void {
    this.db.prepare('UPDATE vpn_tokens SET revoked = 1 WHERE id = ?').run(id);
  }

  audit(network: string, event: string, member: string, detail: string): void {
    this.db.prepare('INSERT INTO vpn_audit (network, time, event, member, detail) VALUES (?, ?, ?, ?, ?)').run(network, new Date().toISOString(), event, member, detail);
  }

  auditLog(network: string, limit = 200): AuditEntry[] {
    return this.db.prepare('SELECT time, event, member, detail FROM vpn_audit WHERE network = ? ORDER BY id DESC LIMIT ?').all(network, limit) as AuditEntry[];
  }
}

export function networkView(row: NetworkRow, members: number): NetworkView {
  return {
    name: row.name,
    subnet: row.subnet,
    mode: row.mode,
    joinPolicy: row.join_policy,
    legacyEnrolment: row.legacy_enabled === 1,
    legacyKey: row.legacy_enabled === 1 ? row.legacy_key : '',
    members,
    createdAt: row.created_at,
  };
}

export function memberView(row: MemberRow): MemberView {
  return {
    name: row.name,
    address: row.address,
    endpoint: row.endpoint_host ? `${row.endpoint_host}:${row.endpoint_port}` : '',
    seenFrom: row.seen_from,
    lastSeen: row.last_seen,
    joinedAt: row.joined_at,
    invitedBy: row.invited_by,
    state: row.state,
  };
}

export function tokenView(row: TokenRow): TokenView {
  return { id: row.id, uses: row.uses, used: row.used, expiresAt: new Date(row.expires_at).toISOString(), createdAt: row.created_at, createdBy: row.created_by, revoked: row.revoked === 1 };
}
