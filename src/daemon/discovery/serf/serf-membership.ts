// Follows the Serf members: fetches Cloudy nodes' lists when their digest changes, decodes 2015 tags, drops the dead.
import type { DiscoveryMember } from '../../../shared/discovery-contract.ts';
import { parsePeerDocument } from '../peer-document.ts';
import type { RecordCache } from '../record-cache.ts';
import { type CloudyTags, LEGACY_TAG, parseCloudyTags } from './cloudy-tags.ts';
import { fromLegacyServices } from './legacy-records.ts';
import { decodeLegacyServicesTag } from './legacy-services-tag.ts';
import { fetchPages } from './record-pages.ts';
import { estimateRttSeconds, type SerfCoordinate, type SerfMember, type SerfRpcClient } from './serf-rpc-client.ts';

interface TrackedMember {
  member: SerfMember;
  cloudy: CloudyTags | null;
  nodeId: string | null;
  fetchedDigest: string | null;
  wantedDigest: string | null;
  notBefore: number;
  /** A fetch is scheduled for when `notBefore` comes. */
  waiting: boolean;
  /** A fetch is on its way: no second one until it ends (it queues the member again if the digest moved on). */
  fetching: boolean;
  failures: number;
  services: number;
  coordinate: SerfCoordinate | null;
  rttMs: number | null;
}

export interface MembershipDeps {
  cache: RecordCache;
  selfName(): string;
  fetchDocument(target: { address: string; port: number; pin: string }): Promise<unknown>;
  /** One page of a member's list over a Serf query, for when its HTTPS port cannot be reached. */
  queryPage(member: string, page: number): Promise<Buffer | null>;
  log(line: string): void;
  /** A member appeared, changed status or went: for what lists nodes, not services (the DNS module's zone). */
  membersChanged?(): void;
}

const FETCH_CONCURRENCY = 4;
const MIN_FETCH_INTERVAL_MS = 1000;
const MAX_RETRY_DELAY_MS = 60_000;
const GONE_STATUSES = new Set(['failed', 'left', 'leaving', 'reap']);

export class SerfMembership {
  /** Our own network coordinate, served in our peer document for agents that never probed us. */
  selfCoordinate: SerfCoordinate | null = null;
  private readonly members = new Map<string, TrackedMember>();
  private readonly queue: string[] = [];
  private inFlight = 0;

  constructor(private readonly deps: MembershipDeps) {}

  /** One full pass over `members`: the stream drops events past its buffer, so this is the source of truth. */
  async sync(client: SerfRpcClient): Promise<void> {
    const listed = await client.members();
    const names = new Set(listed.map((member) => member.name));
    for (const member of listed) this.update(member);
    for (const [name, tracked] of this.members) {
      if (names.has(name)) continue;
      this.members.delete(name);
      this.forget(tracked);
      this.deps.membersChanged?.();
    }
  }

  update(member: SerfMember): void {
    if (member.name === this.deps.selfName()) return;
    const previousStatus = this.members.get(member.name)?.member.status;
    const tracked = this.members.get(member.name) ?? this.track(member);
    tracked.member = member;
    if (previousStatus !== member.status) this.deps.membersChanged?.();
    if (GONE_STATUSES.has(member.status)) return this.forget(tracked);
    tracked.cloudy = parseCloudyTags(member.tags);
    if (tracked.cloudy) {
      tracked.wantedDigest = tracked.cloudy.digest;
      if (tracked.fetchedDigest !== tracked.wantedDigest) this.enqueue(member.name);
    } else this.readLegacy(tracked);
  }

  /**
   * A peer's user event says its list changed: fetch now rather than at the next tag gossip — but never more
   * often than once a second per peer, whatever a peer announces.
   */
  changed(name: string, digest: string): void {
    const tracked = this.members.get(name);
    if (!tracked?.cloudy || tracked.fetchedDigest === digest) return;
    tracked.wantedDigest = digest;
    this.enqueue(name);
  }

  /** RTT estimates from Serf's network coordinates (no probing); a peer's own coordinate fills in for one our agent lacks. */
  async refreshRtt(client: SerfRpcClient): Promise<void> {
    const own = await client.getCoordinate(this.deps.selfName());
    this.selfCoordinate = own;
    if (!own) return;
    for (const tracked of this.members.values()) {
      if (tracked.member.status !== 'alive') continue;
      const theirs = (await client.getCoordinate(tracked.member.name).catch(() => null)) ?? tracked.coordinate;
      // A coordinate a peer serves itself may have other dimensions (another agent, or a lie): no estimate then.
      tracked.rttMs = theirs && theirs.vec.length === own.vec.length ? Math.max(0, estimateRttSeconds(own, theirs) * 1000) : null;
      const nodeId = tracked.nodeId ?? `serf:${tracked.member.name}`;
      this.deps.cache.setNodeRtt(nodeId, tracked.rttMs === null ? null : { ms: tracked.rttMs, source: 'coordinates' });
    }
  }

  summary(): DiscoveryMember[] {
    return [...this.members.values()].map((tracked) => ({
      name: tracked.member.name,
      address: tracked.member.addr,
      port: tracked.member.port,
      status: tracked.member.status,
      cloudy: tracked.cloudy !== null,
      services: tracked.services,
      rttMs: tracked.rttMs === null ? null : Math.round(tracked.rttMs * 100) / 100,
    }));
  }

  counts(): { members: number; alive: number } {
    const alive = [...this.members.values()].filter((tracked) => tracked.member.status === 'alive').length;
    return { members: this.members.size + 1, alive: alive + 1 };
  }

  private track(member: SerfMember): TrackedMember {
    const tracked: TrackedMember = {
      member, cloudy: null, nodeId: null, fetchedDigest: null, wantedDigest: null, notBefore: 0, waiting: false, fetching: false, failures: 0, services: 0, coordinate: null, rttMs: null,
    };
    this.members.set(member.name, tracked);
    return tracked;
  }

  /** Still listed and not failed or left: what a fetch learns about it may be used. */
  private current(tracked: TrackedMember): boolean {
    return this.members.get(tracked.member.name) === tracked && !GONE_STATUSES.has(tracked.member.status);
  }

  private forget(tracked: TrackedMember): void {
    this.deps.cache.nodeGone(tracked.nodeId ?? `serf:${tracked.member.name}`);
    tracked.fetchedDigest = null;
  }

  /** A 2015 node (or a Cloudy node whose list could not be fetched) is read from its `services` tag. */
  private readLegacy(tracked: TrackedMember): void {
    const value = tracked.member.tags[LEGACY_TAG];
    const nodeId = tracked.nodeId ?? `serf:${tracked.member.name}`;
    if (!value) return this.deps.cache.replaceNode('legacy', nodeId, []);
    try {
      const records = fromLegacyServices(decodeLegacyServicesTag(value), tracked.member);
      this.deps.cache.replaceNode('legacy', nodeId, records.map((record) => ({ ...record, nodeId })));
      tracked.services = records.length;
    } catch (error) {
      this.deps.log(`serf: ignoring the services tag of ${tracked.member.name}: ${(error as Error).message}`);
    }
  }

  private enqueue(name: string): void {
    if (!this.queue.includes(name)) this.queue.push(name);
    this.pump();
  }

  private pump(): void {
    while (this.inFlight < FETCH_CONCURRENCY && this.queue.length > 0) {
      const name = this.queue.shift()!;
      const tracked = this.members.get(name);
      if (!tracked?.cloudy || tracked.fetching || !this.current(tracked) || tracked.fetchedDigest === tracked.wantedDigest) continue;
      const wait = tracked.notBefore - Date.now();
      if (wait > 0) {
        if (!tracked.waiting) {
          tracked.waiting = true;
          setTimeout(() => {
            tracked.waiting = false;
            this.enqueue(name);
          }, wait).unref();
        }
        continue;
      }
      this.inFlight += 1;
      tracked.fetching = true;
      void this.fetch(tracked).finally(() => {
        this.inFlight -= 1;
        tracked.fetching = false;
        this.enqueue(name);
      });
    }
  }

  private async fetch(tracked: TrackedMember): Promise<void> {
    const { member, cloudy } = tracked;
    if (!cloudy) return;
    const wanted = tracked.wantedDigest;
    try {
      const raw = await this.deps.fetchDocument({ address: member.addr, port: cloudy.apiPort, pin: cloudy.pin }).catch((httpsError: Error) =>
        fetchPages((page) => this.deps.queryPage(member.name, page)).catch((queryError: Error) => {
          throw new Error(`${httpsError.message}; over a Serf query: ${queryError.message}`);
        }),
      );
      if (!this.current(tracked)) return;
      const document = parsePeerDocument(raw, member.addr);
      if (!document) throw new Error('its service list is not in the Cloudy peer format');
      if (tracked.nodeId && tracked.nodeId !== document.nodeId) this.deps.cache.nodeGone(tracked.nodeId);
      tracked.nodeId = document.nodeId;
      tracked.coordinate = document.coordinate;
      tracked.services = document.records.length;
      tracked.failures = 0;
      tracked.notBefore = Date.now() + MIN_FETCH_INTERVAL_MS;
      this.deps.cache.replaceNode('serf', document.nodeId, document.records);
      // What the 2015 tag said about this node (read before or after its node id was known) is superseded by its full list.
      for (const nodeId of new Set([`serf:${member.name}`, document.nodeId])) this.deps.cache.replaceNode('legacy', nodeId, []);
      // The list may be newer than the gossiped tag; the next members pass brings the tag in line (or refetches).
      tracked.fetchedDigest = document.digest;
      if (tracked.wantedDigest === wanted) tracked.wantedDigest = document.digest;
    } catch (error) {
      if (!this.current(tracked)) return;
      tracked.failures += 1;
      tracked.notBefore = Date.now() + Math.min(MAX_RETRY_DELAY_MS, 1000 * 2 ** tracked.failures);
      this.deps.log(`serf: cannot fetch the services of ${member.name} (${member.addr}): ${(error as Error).message}`);
      if (tracked.fetchedDigest === null) this.readLegacy(tracked);
    }
  }
}
