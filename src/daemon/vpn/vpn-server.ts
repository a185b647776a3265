// The coordination server (getinconf's successor): networks, join tokens, enrolment with address allocation,
// revocation, and the member list each member long-polls. It hands out data only; members write their own files.
import { EventEmitter } from 'node:events';

import type {
  AuditEntry,
  EnrolReply,
  EnrolRequest,
  MemberView,
  NetworkCreateRequest,
  NetworkState,
  NetworkView,
  TokenCreated,
  TokenCreateRequest,
  TokenView,
} from '../../shared/vpn-contract.ts';
import { ApiError, conflict, notFound } from '../api-error.ts';
import { lowestFreeAddress, parseSubnet } from './address-pool.ts';
import { legacyHashMatches, type LegacyRequest } from './legacy-enrolment.ts';
import { chooseConnectTo } from './connect-to.ts';
import { durationMs, hashSecret, issueToken, newMemberSecret, parseToken, secretMatches } from './join-token.ts';
import { memberView, networkView, tokenView, type MemberRow, type VpnServerStore } from './vpn-server-store.ts';

/** How long a member's long-poll is held open when nothing changes; it asks again at once. */
export const LONG_POLL_MS = 25_000;
const LAST_SEEN_WRITE_INTERVAL_MS = 60_000;
/** How long an enrolment waits for the server's own node to run the new member list (it normally takes well under 1 s). */
const HUB_APPLY_WAIT_MS = 5_000;

export interface VpnServerDeps {
  store: VpnServerStore;
  /** SHA-256 of this node's certificate (base64url), put into every token. */
  certificatePin: string;
  /** Where members reach this node's API: its community address and HTTPS port. */
  publicBase: () => string;
}

const rejected = (status: number, code: string, message: string) => new ApiError(status, code, message);

export class VpnServer {
  private readonly changes = new EventEmitter();
  private readonly lastSeenWritten = new Map<string, number>();
  /** The member list version the server's own node last gave its tincd, per network. */
  private readonly hubVersions = new Map<string, number>();
  private readonly hubChanges = new EventEmitter();

  constructor(private readonly deps: VpnServerDeps) {
    this.changes.setMaxListeners(0);
    this.hubChanges.setMaxListeners(0);
  }

  /** The server's own node reports the member list version its tincd now runs with. */
  hubApplied(network: string, version: number): void {
    this.hubVersions.set(network, version);
    this.hubChanges.emit(network);
  }

  /**
   * Enrols (see enrol) and answers once the server's own node has written the new member's host file and reloaded
   * its tincd, so the newcomer's first connection, to the hub, is accepted rather than refused as an unknown
   * identity and retried 5 s later. Bounded: a hub that does not report (or is not running) delays no one long.
   */
  async enrolWhenHubReady(network: string, request: EnrolRequest, seenFrom: string, timeoutMs = HUB_APPLY_WAIT_MS): Promise<EnrolReply> {
    const reply = this.enrol(network, request, seenFrom);
    const version = reply.state.version;
    if (!this.hubVersions.has(network) || this.hubVersions.get(network)! >= version) return reply;
    await new Promise<void>((resolve) => {
      const check = () => {
        if ((this.hubVersions.get(network) ?? 0) < version) return;
        done();
      };
      const done = () => {
        clearTimeout(timer);
        this.hubChanges.off(network, check);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.hubChanges.on(network, check);
    });
    return reply;
  }

  networks(): NetworkView[] {
    return this.deps.store.networks().map((row) => networkView(row, this.deps.store.members(row.name).filter((member) => member.state === 'active').length));
  }

  network(name: string): NetworkView {
    const row = this.deps.store.network(name);
    if (!row) throw notFound(`Network ${name}`);
    return networkView(row, this.deps.store.members(name).filter((member) => member.state === 'active').length);
  }

  createNetwork(request: NetworkCreateRequest, actor: string): NetworkView {
    try {
      parseSubnet(request.subnet);
    } catch (error) {
      throw new ApiError(400, 'invalid_request', (error as Error).message, { subnet: (error as Error).message });
    }
    if (this.deps.store.network(request.name)) throw conflict(`A network named ${request.name} already exists on this server.`);
    this.deps.store.transaction(() => {
      this.deps.store.insertNetwork(request.name, request.subnet, request.mode ?? 'router', request.legacyEnrolment ?? false);
      this.deps.store.audit(request.name, 'network-created', '', `${request.subnet} ${request.mode ?? 'router'} by ${actor}`);
    });
    return this.network(request.name);
  }

  setLegacyEnrolment(name: string, enabled: boolean, actor: string): NetworkView {
    this.network(name);
    this.deps.store.setLegacy(name, enabled);
    this.deps.store.audit(name, enabled ? 'legacy-on' : 'legacy-off', '', `by ${actor}`);
    return this.network(name);
  }

  createToken(network: string, request: TokenCreateRequest, actor: string): TokenCreated {
    this.network(network);
    let lifetime: number;
    try {
      lifetime = durationMs(request.expires ?? '1h');
    } catch (error) {
      throw new ApiError(400, 'invalid_request', (error as Error).message, { expires: (error as Error).message });
    }
    const issued = issueToken(this.deps.certificatePin);
    const uses = request.uses ?? 1;
    const expiresAt = Date.now() + lifetime;
    this.deps.store.transaction(() => {
      this.deps.store.insertToken({ id: issued.id, network, secret_hash: issued.secretHash, uses, expires_at: expiresAt, created_at: new Date().toISOString(), created_by: actor });
      this.deps.store.audit(network, 'token-created', '', `token ${issued.id}, ${uses} use(s), expires ${new Date(expiresAt).toISOString()}, by ${actor}`);
    });
    return { token: issued.token, url: this.joinUrl(network), network, uses, expiresAt: new Date(expiresAt).toISOString() };
  }

  joinUrl(network: string): string {
    return `${this.deps.publicBase()}/vpn/v1/networks/${network}`;
  }

  tokens(network: string): TokenView[] {
    this.network(network);
    return this.deps.store.tokens(network).map(tokenView);
  }

  revokeToken(network: string, id: string, actor: string): TokenView {
    const token = this.deps.store.token(id);
    if (!token || token.network !== network) throw notFound(`Token ${id} of ${network}`);
    this.deps.store.revokeToken(id);
    this.deps.store.audit(network, 'token-revoked', '', `token ${id} by ${actor}`);
    return tokenView(this.deps.store.token(id)!);
  }

  members(network: string): MemberView[] {
    this.network(network);
    return this.deps.store.members(network).map(memberView);
  }

  auditLog(network: string): AuditEntry[] {
    this.network(network);
    return this.deps.store.auditLog(network);
  }

  /**
   * Checks the token, then allocates the address, records the member and consumes one use, all in one
   * transaction. The same key enrolling again (a retry after a crash) gets its existing membership back.
   */
  enrol(network: string, request: EnrolRequest, seenFrom: string): EnrolReply {
    const parsed = parseToken(request.token);
    if (!parsed) throw rejected(401, 'invalid_token', 'This is not a join token.');
    const memberSecret = newMemberSecret();
    const member = this.deps.store.transaction(() => {
      const token = this.deps.store.token(parsed.id);
      if (!token || !secretMatches(parsed.secret, token.secret_hash)) throw rejected(401, 'invalid_token', 'The join token is not one this server issued.');
      if (token.network !== network) throw rejected(403, 'wrong_network', `The join token is for another network, not ${network}.`);
      const row = this.deps.store.network(network);
      if (!row) throw notFound(`Network ${network}`);
      const existing = this.deps.store.memberByKey(network, request.publicKey);
      if (existing && existing.invited_by === token.id) {
        this.deps.store.renewMember(network, existing.name, hashSecret(memberSecret), request.endpoint, seenFrom);
        this.deps.store.audit(network, 'rejoined', existing.name, `same key again with token ${token.id}, from ${seenFrom}`);
        this.deps.store.bumpVersion(network);
        return this.deps.store.member(network, existing.name)!;
      }
      if (token.revoked) throw rejected(410, 'token_revoked', 'The join token was withdrawn.');
      if (token.expires_at <= Date.now()) throw rejected(410, 'token_expired', 'The join token has expired; ask for a new one.');
      if (token.used >= token.uses) throw rejected(410, 'token_used', 'The join token has already been used as often as it allows.');
      const name = this.uniqueName(network, request.name);
      const address = lowestFreeAddress(parseSubnet(row.subnet), this.deps.store.takenAddresses(network));
      if (!address) throw conflict(`Network ${network} has no free address left in ${row.subnet}.`);
      this.deps.store.insertMember({ network, name, publicKey: request.publicKey, address, endpoint: request.endpoint, seenFrom, secretHash: hashSecret(memberSecret), invitedBy: token.id });
      this.deps.store.useToken(token.id);
      this.deps.store.audit(network, 'joined', name, `${address} with token ${token.id}, from ${seenFrom}`);
      this.deps.store.bumpVersion(network);
      return this.deps.store.member(network, name)!;
    });
    this.changed(network);
    return { memberSecret, state: this.stateFor(network, member.name) };
  }

  /** The server's own node joins its network directly, without a token; it is every member's first hop. */
  enrolSelf(network: string, name: string, publicKey: string, endpoint: EnrolRequest['endpoint']): NetworkState {
    const member = this.deps.store.transaction(() => {
      const row = this.deps.store.network(network);
      if (!row) throw notFound(`Network ${network}`);
      const existing = this.deps.store.memberByKey(network, publicKey);
      if (existing) {
        this.deps.store.renewMember(network, existing.name, existing.secret_hash, endpoint, 'this node');
        this.deps.store.bumpVersion(network);
        return existing;
      }
      const uniqueName = this.uniqueName(network, name);
      const address = lowestFreeAddress(parseSubnet(row.subnet), this.deps.store.takenAddresses(network));
      if (!address) throw conflict(`Network ${network} has no free address left.`);
      this.deps.store.insertMember({ network, name: uniqueName, publicKey, address, endpoint, seenFrom: 'this node', secretHash: hashSecret(newMemberSecret()), invitedBy: 'server' });
      this.deps.store.audit(network, 'joined', uniqueName, `${address}, the server's own node`);
      this.deps.store.bumpVersion(network);
      return this.deps.store.member(network, uniqueName)!;
    });
    this.changed(network);
    return this.stateFor(network, member.name);
  }

  /**
   * A 2015 getinconf-client asks (hourly, by cron) with md5(MAC + network key + network): enrolled on its first
   * call, answered with its current member list after. Only networks whose owner turned legacy enrolment on.
   */
  enrolLegacy(request: LegacyRequest, publicKey: string | null, seenFrom: string): { state: NetworkState; publicKey: string } {
    const row = this.deps.store.network(request.network);
    if (!row) throw rejected(403, 'unknown_network', 'Invalid network');
    if (row.legacy_enabled !== 1) throw rejected(403, 'legacy_off', `Legacy enrolment is off for ${request.network}.`);
    if (!legacyHashMatches(request, row.legacy_key)) throw rejected(405, 'bad_hash', 'The node hash does not match this network.');
    const legacyId = hashSecret(`legacy:${request.hash}`);
    const endpoint = request.address ? { host: request.address, port: request.port } : undefined;
    const member = this.deps.store.transaction(() => {
      const existing = this.deps.store.memberBySecretHash(request.network, legacyId);
      if (existing) {
        if (existing.state !== 'active') throw rejected(403, existing.state, `${existing.name} is no longer a member of ${request.network}.`);
        const changed = (publicKey !== null && publicKey !== existing.public_key) || existing.endpoint_host !== (endpoint?.host ?? null) || existing.endpoint_port !== (endpoint?.port ?? null);
        this.deps.store.updateLegacyMember(request.network, existing.name, publicKey ?? existing.public_key, endpoint, seenFrom);
        if (changed) this.deps.store.bumpVersion(request.network);
        return { row: this.deps.store.member(request.network, existing.name)!, changed };
      }
      if (!publicKey) throw rejected(400, 'no_key', 'A first enrolment must send the public key as the multipart field rsakeypub.');
      const name = this.uniqueName(request.network, request.name ?? `${request.network}${request.hash.slice(-6)}`);
      const address = lowestFreeAddress(parseSubnet(row.subnet), this.deps.store.takenAddresses(request.network));
      if (!address) throw conflict(`Network ${request.network} has no free address left.`);
      this.deps.store.insertMember({ network: request.network, name, publicKey, address, endpoint, seenFrom, secretHash: legacyId, invitedBy: 'legacy' });
      this.deps.store.audit(request.network, 'joined', name, `${address}, 2015 getinconf-client ${request.mac}, from ${seenFrom}`);
      this.deps.store.bumpVersion(request.network);
      return { row: this.deps.store.member(request.network, name)!, changed: true };
    });
    if (member.changed) this.changed(request.network);
    return { state: this.stateFor(request.network, member.row.name), publicKey: member.row.public_key };
  }

  /** Authenticates a member by its secret; a revoked one learns it was revoked (410) so it can tear down. */
  authenticate(network: string, name: string, secret: string): MemberRow {
    const member = this.deps.store.member(network, name);
    if (!member || !secretMatches(secret, member.secret_hash)) throw rejected(401, 'unknown_member', 'Not a member of this network.');
    if (member.state === 'revoked') throw rejected(410, 'revoked', `${name} was removed from ${network} by the server's owner.`);
    if (member.state === 'left') throw rejected(410, 'left', `${name} left ${network}.`);
    const now = Date.now();
    const key = `${network}/${name}`;
    if (now - (this.lastSeenWritten.get(key) ?? 0) > LAST_SEEN_WRITE_INTERVAL_MS) {
      this.lastSeenWritten.set(key, now);
      this.deps.store.touchMember(network, name);
    }
    return member;
  }

  /** Answers at once when the member's view is older than the network's version, else when it changes (or at the timeout). */
  async waitForChange(network: string, name: string, since: number, timeoutMs = LONG_POLL_MS, signal?: AbortSignal): Promise<NetworkState> {
    if ((this.deps.store.network(network)?.version ?? 0) === since) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.changes.off(network, done);
          signal?.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, timeoutMs);
        this.changes.on(network, done);
        signal?.addEventListener('abort', done);
      });
    }
    const member = this.deps.store.member(network, name);
    if (!member || member.state !== 'active') throw rejected(410, member?.state ?? 'revoked', `${name} is no longer a member of ${network}.`);
    return this.stateFor(network, name);
  }

  revoke(network: string, name: string, actor: string): MemberView {
    const member = this.deps.store.member(network, name);
    if (!member) throw notFound(`Member ${name} of ${network}`);
    if (member.invited_by === 'server') throw conflict(`${name} is this server's own node; it cannot be revoked.`);
    if (member.state === 'active') {
      this.deps.store.transaction(() => {
        this.deps.store.setMemberState(network, name, 'revoked');
        this.deps.store.audit(network, 'revoked', name, `by ${actor}`);
        this.deps.store.bumpVersion(network);
      });
      this.changed(network);
    }
    return memberView(this.deps.store.member(network, name)!);
  }

  leave(network: string, name: string, secret: string): void {
    this.authenticate(network, name, secret);
    this.deps.store.transaction(() => {
      this.deps.store.setMemberState(network, name, 'left');
      this.deps.store.audit(network, 'left', name, 'the member left');
      this.deps.store.bumpVersion(network);
    });
    this.changed(network);
  }

  /** What `name` must know: the other active members, the few it connects to, and its own address. */
  stateFor(network: string, name: string): NetworkState {
    const row = this.deps.store.network(network)!;
    const members = this.deps.store.members(network).filter((member) => member.state === 'active');
    const self = members.find((member) => member.name === name);
    if (!self) throw rejected(410, 'revoked', `${name} is no longer a member of ${network}.`);
    const peers = members.filter((member) => member.name !== name);
    const connectTo = chooseConnectTo(
      name,
      peers.map((peer) => ({ name: peer.name, reachable: peer.endpoint_host !== null, hub: peer.invited_by === 'server' })),
    );
    return {
      version: row.version,
      network: { name: row.name, subnet: row.subnet, mode: row.mode },
      self: { name: self.name, address: self.address },
      peers: peers.map((peer) => ({
        name: peer.name,
        publicKey: peer.public_key,
        address: peer.address,
        ...(peer.endpoint_host ? { endpoint: { host: peer.endpoint_host, port: peer.endpoint_port ?? 655 } } : {}),
      })),
      connectTo,
    };
  }

  /** Listens for membership changes of a network (the server's own node follows them this way). */
  onChange(network: string, listener: () => void): () => void {
    this.changes.on(network, listener);
    return () => this.changes.off(network, listener);
  }

  private changed(network: string): void {
    this.changes.emit(network);
  }

  private uniqueName(network: string, wanted: string): string {
    const taken = this.deps.store.takenNames(network);
    if (!taken.has(wanted)) return wanted;
    const stem = wanted.slice(0, 28);
    for (let suffix = 2; ; suffix++) if (!taken.has(`${stem}_${suffix}`)) return `${stem}_${suffix}`;
  }
}
