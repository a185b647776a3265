// Every service record this node knows: merged across backends, capped per node, per type and in total, searchable.
import type { RecordSource, SearchResult, ServiceRecord } from '../../shared/discovery-contract.ts';
import { type CleanRecord, recordKey, shortType } from './service-record.ts';

export const CACHE_LIMITS = { perNode: 256, perType: 5000, total: 20_000, staleForDays: 7 } as const;
export const DEFAULT_SEARCH_LIMIT = 1000;

export interface SearchOptions {
  type?: string;
  text?: string;
  includeStale?: boolean;
  limit?: number;
}

interface SourceSighting {
  present: boolean;
  seenAt: number;
}

export interface CacheEntry {
  record: CleanRecord;
  sources: Map<RecordSource, SourceSighting>;
  lastSeen: number;
  lastSource: RecordSource;
}

/** A match before it becomes a full record: what ranking needs, nothing more. */
interface Candidate {
  key: string;
  entry: CacheEntry;
  stale: boolean;
  self: boolean;
  rtt: Rtt | undefined;
}

export interface Rtt {
  ms: number;
  source: 'self' | 'coordinates' | 'probe';
}

/** Which backend's word counts when several report the same record (for `source`). */
const SOURCE_ORDER: RecordSource[] = ['local', 'serf', 'mdns', 'legacy'];

export class RecordCache {
  private readonly entries = new Map<string, CacheEntry>();
  /** Keys of each node's records: a node's refresh or failure touches only its own. */
  private readonly byNode = new Map<string, Set<string>>();
  private readonly perType = new Map<string, number>();
  private readonly nodeRtt = new Map<string, Rtt>();
  private readonly probes = new Map<string, Rtt>();
  private readonly changeListeners = new Set<(keys: string[]) => void>();
  private refusals = 0;

  constructor(private readonly selfNodeId: string) {}

  get size(): number {
    return this.entries.size;
  }

  /** How many records the caps turned away since start (a flooding peer shows up here). */
  get refused(): number {
    return this.refusals;
  }

  onChange(listener: (keys: string[]) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  entry(key: string): CacheEntry | undefined {
    return this.entries.get(key);
  }

  /** Records the sighting; false when a cap refused a record this cache did not hold yet. */
  upsert(source: RecordSource, record: CleanRecord, seenAt = Date.now()): boolean {
    const key = recordKey(record);
    const existing = this.entries.get(key);
    if (!existing && !this.makeRoom(record, source)) {
      this.refusals += 1;
      return false;
    }
    const entry = existing ?? { record, sources: new Map(), lastSeen: seenAt, lastSource: source };
    const changed = !existing || !sameRecord(existing.record, record) || !existing.sources.get(source)?.present;
    entry.record = record;
    entry.sources.set(source, { present: true, seenAt });
    entry.lastSeen = Math.max(entry.lastSeen, seenAt);
    entry.lastSource = source;
    if (!existing) this.add(key, entry);
    if (changed) this.emit([key]);
    return true;
  }

  /** The source no longer reports it; the record stays, stale once no source does. */
  withdraw(source: RecordSource, key: string, now = Date.now()): void {
    const entry = this.entries.get(key);
    const sighting = entry?.sources.get(source);
    if (!entry || !sighting?.present) return;
    sighting.present = false;
    if (isStale(entry)) seenUntil(entry, now);
    this.emit([key]);
  }

  /** The complete set `source` now reports for one node: what it no longer lists is withdrawn. */
  replaceNode(source: RecordSource, nodeId: string, records: CleanRecord[], seenAt = Date.now()): void {
    const keep = new Set(records.map(recordKey));
    for (const key of [...(this.byNode.get(nodeId) ?? [])]) {
      if (!keep.has(key)) this.withdraw(source, key, seenAt);
    }
    for (const record of records) this.upsert(source, record, seenAt);
  }

  /** Serf declared the node failed or gone: none of its records is current, whoever reported them. */
  nodeGone(nodeId: string, now = Date.now()): void {
    const changed: string[] = [];
    for (const key of this.byNode.get(nodeId) ?? []) {
      const entry = this.entries.get(key)!;
      if (isStale(entry)) continue;
      for (const sighting of entry.sources.values()) sighting.present = false;
      seenUntil(entry, now);
      changed.push(key);
    }
    if (changed.length > 0) this.emit(changed);
  }

  setNodeRtt(nodeId: string, rtt: Rtt | null): void {
    if (rtt) this.nodeRtt.set(nodeId, rtt);
    else this.nodeRtt.delete(nodeId);
  }

  setProbe(key: string, rtt: Rtt | null): void {
    if (rtt) this.probes.set(key, rtt);
    else this.probes.delete(key);
  }

  /** Forgets records stale for longer than the cache keeps them. */
  prune(now = Date.now()): void {
    const horizon = now - CACHE_LIMITS.staleForDays * 86_400_000;
    const removed = [...this.entries].filter(([, entry]) => isStale(entry) && entry.lastSeen < horizon).map(([key]) => key);
    for (const key of removed) this.remove(key);
    if (removed.length > 0) this.emit(removed);
  }

  /** Restores an entry read back from disk: stale until a backend reports it again. */
  restore(record: CleanRecord, source: RecordSource, lastSeen: number): void {
    const key = recordKey(record);
    if (this.entries.has(key) || !this.makeRoom(record, source)) return;
    this.add(key, { record, sources: new Map([[source, { present: false, seenAt: lastSeen }]]), lastSeen, lastSource: source });
  }

  *allEntries(): IterableIterator<[string, CacheEntry]> {
    yield* this.entries;
  }

  /**
   * Filters and ranks light candidates and builds full records only for the ones returned: with 10,000 cached,
   * building every result first cost more than the search itself (bench/discovery.ts, section 1c).
   */
  search(query: SearchOptions = {}): SearchResult {
    const type = query.type ? (shortType(query.type) ?? '\u0000') : null;
    const text = query.text?.trim().toLowerCase() || null;
    const typeCounts = new Map<string, number>();
    const nodes = new Set<string>();
    const matches: Candidate[] = [];
    for (const [key, entry] of this.entries) {
      const stale = isStale(entry);
      // Our own records are either published now or of no interest: the Publications list tells what was withdrawn.
      if (stale && (!query.includeStale || entry.record.nodeId === this.selfNodeId)) continue;
      if (text && !matchesText(entry.record, text)) continue;
      typeCounts.set(entry.record.type, (typeCounts.get(entry.record.type) ?? 0) + 1);
      if (type && entry.record.type !== type) continue;
      if (!stale) nodes.add(entry.record.nodeId);
      const self = entry.record.nodeId === this.selfNodeId;
      matches.push({ key, entry, stale, self, rtt: this.rttOf(key, entry, stale, self) });
    }
    matches.sort(byReachability);
    return {
      records: matches.slice(0, query.limit ?? DEFAULT_SEARCH_LIMIT).map((candidate) => this.view(candidate)),
      types: [...typeCounts].map(([name, count]) => ({ type: name, count })).sort((a, b) => a.type.localeCompare(b.type)),
      total: matches.length,
      nodes: nodes.size,
    };
  }

  /** Live services and distinct nodes, for the dashboard and status. */
  visible(): { services: number; nodes: number } {
    const nodes = new Set<string>();
    let services = 0;
    for (const entry of this.entries.values()) {
      if (isStale(entry)) continue;
      services += 1;
      nodes.add(entry.record.nodeId);
    }
    return { services, nodes: nodes.size };
  }

  /** A stale record's round trip would describe a path that may no longer exist. */
  private rttOf(key: string, entry: CacheEntry, stale: boolean, self: boolean): Rtt | undefined {
    if (stale) return undefined;
    return self ? { ms: 0, source: 'self' } : (this.probes.get(key) ?? this.nodeRtt.get(entry.record.nodeId));
  }

  private view({ key, entry, stale, self, rtt }: Candidate): ServiceRecord {
    const present = SOURCE_ORDER.filter((source) => entry.sources.get(source)?.present);
    return {
      key,
      ...entry.record,
      txt: { ...entry.record.txt },
      source: present[0] ?? entry.lastSource,
      sources: present,
      lastSeen: new Date(entry.lastSeen).toISOString(),
      stale,
      rttMs: rtt ? Math.round(rtt.ms * 100) / 100 : null,
      rttSource: rtt?.source ?? null,
      self,
    };
  }

  private add(key: string, entry: CacheEntry): void {
    this.entries.set(key, entry);
    const keys = this.byNode.get(entry.record.nodeId) ?? new Set<string>();
    this.byNode.set(entry.record.nodeId, keys.add(key));
    bump(this.perType, entry.record.type, 1);
  }

  private remove(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.probes.delete(key);
    const keys = this.byNode.get(entry.record.nodeId);
    keys?.delete(key);
    if (keys?.size === 0) this.byNode.delete(entry.record.nodeId);
    bump(this.perType, entry.record.type, -1);
  }

  /**
   * Within the caps, or after evicting the oldest stale record that stands in the way. Our own published records
   * always fit; a backend's record that merely names our node id (anyone can put it in TXT or a list) does not.
   */
  private makeRoom(record: CleanRecord, source: RecordSource): boolean {
    if (record.nodeId === this.selfNodeId && source === 'local') return true;
    const full = () =>
      (this.byNode.get(record.nodeId)?.size ?? 0) >= CACHE_LIMITS.perNode ||
      (this.perType.get(record.type) ?? 0) >= CACHE_LIMITS.perType ||
      this.entries.size >= CACHE_LIMITS.total;
    // Our own records count too, so one eviction may not be enough.
    while (full()) {
      const victim = this.oldestStale(record);
      if (victim === undefined) return false;
      this.remove(victim);
    }
    return true;
  }

  private oldestStale(record: CleanRecord): string | undefined {
    const nodeFull = (this.byNode.get(record.nodeId)?.size ?? 0) >= CACHE_LIMITS.perNode;
    const typeFull = (this.perType.get(record.type) ?? 0) >= CACHE_LIMITS.perType;
    let oldest: [string, number] | undefined;
    for (const [key, entry] of this.entries) {
      if (!isStale(entry)) continue;
      if (nodeFull && entry.record.nodeId !== record.nodeId) continue;
      if (typeFull && entry.record.type !== record.type) continue;
      if (!oldest || entry.lastSeen < oldest[1]) oldest = [key, entry.lastSeen];
    }
    return oldest?.[0];
  }

  private emit(keys: string[]): void {
    for (const listener of this.changeListeners) listener(keys);
  }
}

/** A loop, not a spread: search calls it for every cached record. */
export function isStale(entry: CacheEntry): boolean {
  for (const sighting of entry.sources.values()) if (sighting.present) return false;
  return true;
}

/** It was current until `now`: its 7 stale days (and its rank among stale records to evict) count from here. */
function seenUntil(entry: CacheEntry, now: number): void {
  entry.lastSeen = Math.max(entry.lastSeen, now);
}

function bump(counts: Map<string, number>, key: string, delta: number): void {
  const next = (counts.get(key) ?? 0) + delta;
  if (next > 0) counts.set(key, next);
  else counts.delete(key);
}

function sameRecord(a: CleanRecord, b: CleanRecord): boolean {
  return a.description === b.description && a.node === b.node && a.address === b.address && a.microcloud === b.microcloud && JSON.stringify(a.txt) === JSON.stringify(b.txt);
}

function matchesText(record: CleanRecord, text: string): boolean {
  return [record.description, record.node, record.address, record.microcloud, record.type, ...Object.values(record.txt)].some((field) => field.toLowerCase().includes(text));
}

/** Best first: live before stale, our own, then measured or estimated round trip, then by name. */
function byReachability(a: Candidate, b: Candidate): number {
  if (a.stale !== b.stale) return a.stale ? 1 : -1;
  if (a.self !== b.self) return a.self ? -1 : 1;
  const rttA = a.rtt?.ms ?? Number.POSITIVE_INFINITY;
  const rttB = b.rtt?.ms ?? Number.POSITIVE_INFINITY;
  if (rttA !== rttB) return rttA - rttB;
  const [x, y] = [a.entry.record, b.entry.record];
  return x.type.localeCompare(y.type) || x.node.localeCompare(y.node) || x.port - y.port;
}
