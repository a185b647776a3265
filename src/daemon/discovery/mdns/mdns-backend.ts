// LAN discovery backend: publishes this node's DNS-SD services over mDNS and browses every type (RFC 6762/6763).
//
// Built on bonjour-service 1.4.4: its multicast-dns socket, its responder (driven by mdns-publisher.ts) and one
// bonjour Browser per service type, found by enumerating `_services._dns-sd._udp.local` (RFC 6763 §9).
//
// Behaviour worth knowing:
// - Our own adverts ARE reported to onUp, like everyone else's: multicast loopback brings our responder's
//   answers to our own browser, and with advertise=false avahi-daemon on this host publishes for us and is seen
//   the same way. A sighting whose host is `<hostName>.local` is this node.
// - onUp is called again when a known service's SRV or TXT changes: treat it as an upsert.
// - A taken instance name is renamed "Name (2)", "Name (3)"… after RFC 6762 probing (mdns-publisher.ts);
//   advertised() tells the names in use.
// - Expiry: bonjour-service never expires anything itself (Browser.expire() exists but nothing calls it, and its
//   lastSeen is the first sighting). We keep each sighting's SRV TTL (120 s as RFC 6762 §10 recommends), ask
//   again at 80 % and 90 % of it (§5.2) and report onDown when it runs out unanswered. A goodbye (TTL 0, §10.1)
//   is reported at once. stop() reports nothing.
// - bonjour's Browser only builds a service from a packet holding both its PTR and its SRV. avahi answers the
//   PTR while it still probes the SRV, then announces SRV/TXT without the PTR it already sent, so we remember
//   such PTRs, ask for SRV/TXT (resolving, RFC 6763 §12) and hand the Browsers the answer with the PTR added.
import Bonjour from 'bonjour-service';
import type { Browser, Service } from 'bonjour-service';

import { decodeTxt, dnsSdType, parseServiceType, validAdverts, type MdnsAdvert, type MdnsSighting } from '../../../shared/dns-sd.ts';
import { HostAddresses, mergeAddresses } from './mdns-host-addresses.ts';
import { HOST_TTL, MdnsPublisher, recordsOf, sameName, SERVICE_TYPES, type DnsPacket, type DnsRecord, type Responder } from './mdns-publisher.ts';

export { dnsSdType, MdnsAdvertError, type MdnsAdvert, type MdnsSighting } from '../../../shared/dns-sd.ts';
export { MdnsConflictError } from './mdns-publisher.ts';

export interface MdnsBackendOptions {
  interfaceAddress: string;
  hostName: string;
  advertise: boolean;
  onUp(sighting: MdnsSighting): void;
  onDown(gone: { name: string; type: string; protocol: 'tcp' | 'udp' }): void;
  onError?(error: Error): void;
  limits?: { maxTypes?: number; maxSightings?: number };
}
/**
 * Types browsed and sightings held now; the other counts are events since start(): a type or sighting refused by the
 * limits (counted each time it is heard again), socket warnings (mostly undecodable packets from the LAN).
 */
export interface MdnsStats { types: number; sightings: number; ignoredTypes: number; ignoredSightings: number; warnings: number }

export class MdnsBackendError extends Error { override name = 'MdnsBackendError'; }

interface Tracked { sighting: MdnsSighting; fqdn: string; browser: Browser; expiresAt: number; refreshAt: number[] }

const SWEEP_MS = 1000;
const UNRESOLVED_MS = 10_000;
const MAX_QUERY_INTERVAL_MS = 3_600_000; // RFC 6762 §5.2: continuous querying backs off to once an hour
const QUESTIONS_PER_PACKET = 32;

export class MdnsBackend {
  private bonjour: Bonjour | undefined;
  private responder: Responder | undefined;
  private publisher: MdnsPublisher | undefined;
  private readonly browsers = new Map<string, Browser>();
  private readonly sightings = new Map<string, Tracked>();
  /** SRV target (lower case) → keys of the sightings on that host, to hand them addresses heard later. */
  private readonly byHost = new Map<string, Set<string>>();
  private readonly addresses: HostAddresses;
  /** Instance fqdn → a PTR for it seen without its SRV, until the SRV comes (or UNRESOLVED_MS pass). */
  private readonly unresolved = new Map<string, { ptr: DnsRecord; at: number }>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;
  private readonly counters = { ignoredTypes: 0, ignoredSightings: 0, warnings: 0 };

  constructor(private readonly options: MdnsBackendOptions) {
    this.addresses = new HostAddresses(this.maxSightings);
  }

  private get maxSightings(): number { return this.options.limits?.maxSightings ?? 20_000; }
  private reportError = (error: Error) => { this.options.onError?.(error); };

  async start(): Promise<void> {
    if (this.bonjour) throw new MdnsBackendError('MdnsBackend.start() was already called; create a new backend instead.');
    // multicast-dns binds to `bind || interface`; bound to the unicast address it never receives multicast on
    // Linux, so bind the wildcard and use the address for membership and sending (lab report §4).
    this.bonjour = new Bonjour({ interface: this.options.interfaceAddress, bind: '0.0.0.0' } as object, this.reportError);
    const responder = (this.bonjour as unknown as { server: Responder }).server;
    // One listener for good: multicast-dns emits a failed bind twice, and an unheard 'error' event would throw.
    let onSocketError: (error: Error) => void = () => undefined;
    responder.mdns.on('error', (error: Error) => onSocketError(error));
    try {
      await new Promise<void>((resolve, reject) => {
        onSocketError = reject;
        responder.mdns.once('ready', () => resolve());
      });
    } catch (error) {
      this.stopped = true;
      this.bonjour.destroy();
      throw new MdnsBackendError(`Could not open UDP port 5353 on ${this.options.interfaceAddress}: ${(error as Error).message}. If avahi-daemon runs with disallow-other-stacks=yes, set it to no.`);
    }
    onSocketError = this.reportError;
    this.responder = responder;
    this.publisher = new MdnsPublisher(responder, { fqdn: `${this.options.hostName}.local`, address: this.options.interfaceAddress }, this.reportError);
    responder.mdns.on('warning', () => { this.counters.warnings++; });
    responder.mdns.on('response', (packet: DnsPacket, rinfo: unknown) => this.onResponse(packet, rinfo));
    this.every(SWEEP_MS, () => this.sweep());
    this.queryContinuously(1000);
    this.refresh();
  }

  /** Desired state. An invalid advert, or a second one with the same name and type, is skipped and reported to onError. */
  setAdverts(adverts: MdnsAdvert[]): Promise<void> {
    if (!this.options.advertise) return Promise.resolve();
    if (!this.publisher || this.stopped) return Promise.reject(new MdnsBackendError('MdnsBackend is not running: call start() first.'));
    return this.publisher.set(validAdverts(adverts, this.reportError));
  }

  /** The adverts now published, with the instance name actually in use (after conflict renames). */
  advertised(): MdnsAdvert[] { return this.publisher?.advertised() ?? []; }

  stats(): MdnsStats { return { types: this.browsers.size, sightings: this.sightings.size, ...this.counters }; }

  /** Sends the type enumeration query and one PTR query per known type now (RFC 6763 §9, §4.1). */
  refresh(): void {
    const names = [SERVICE_TYPES, ...[...this.browsers.keys()].map((type) => `${type}.local`)];
    this.ask(names.map((name) => ({ name, type: 'PTR' })));
  }

  async stop(): Promise<void> {
    if (!this.bonjour || this.stopped) return;
    await this.publisher?.stop();
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    for (const browser of this.browsers.values()) browser.stop();
    for (const map of [this.browsers, this.sightings, this.byHost, this.unresolved]) map.clear();
    await new Promise<void>((resolve) => this.bonjour!.destroy(() => resolve()));
  }

  private onResponse(packet: DnsPacket, rinfo: unknown): void {
    const records = recordsOf(packet);
    const types = this.browsers.size;
    for (const record of records) {
      if (record.type !== 'PTR' || record.ttl === 0 || !sameName(record.name, SERVICE_TYPES)) continue;
      const found = parseServiceType(String(record.data));
      if (found) this.browse(found.type, found.protocol);
    }
    const completed = this.resolve(records);
    const gained = this.addresses.note(records);
    // The Browsers handle this packet after us; set the real TTLs once they have created new sightings.
    queueMicrotask(() => {
      this.noteTtls(records);
      for (const host of gained) this.readdress(host);
    });
    // A Browser created during this 'response' event misses it (an EventEmitter calls the listeners it had when
    // the event began), yet an announcement carries the type and its instance together: hand the packet round
    // again, with the PTRs of instances it resolves. The second round adds nothing new, so it ends there.
    if (this.browsers.size > types || completed.length > 0) {
      const again = { ...packet, answers: [...completed, ...(packet.answers ?? [])] };
      queueMicrotask(() => this.stopped || this.responder!.mdns.emit('response', again, rinfo));
    }
  }

  /** Remembers PTRs of browsed types that came without their SRV and asks for it; returns those whose SRV is here now. */
  private resolve(records: DnsRecord[]): DnsRecord[] {
    const srvs = new Set(records.filter((record) => record.type === 'SRV' && record.ttl > 0).map((record) => record.name.toLowerCase()));
    const ptrs = new Set<string>();
    const questions: { name: string; type: string }[] = [];
    for (const record of records) {
      const type = record.type === 'PTR' && record.ttl > 0 ? parseServiceType(record.name) : undefined;
      if (!type || !this.browsers.has(dnsSdType(type.type, type.protocol))) continue;
      const instance = String(record.data).toLowerCase();
      ptrs.add(instance);
      if (srvs.has(instance) || this.sightings.has(instance) || this.unresolved.has(instance)) continue;
      if (this.unresolved.size >= this.maxSightings) break;
      this.unresolved.set(instance, { ptr: record, at: Date.now() });
      questions.push({ name: String(record.data), type: 'SRV' }, { name: String(record.data), type: 'TXT' });
    }
    this.ask(questions);
    const resolved = [...srvs].filter((instance) => this.unresolved.has(instance));
    const completed = resolved.filter((instance) => !ptrs.has(instance)).map((instance) => this.unresolved.get(instance)!.ptr);
    for (const instance of resolved) this.unresolved.delete(instance);
    return completed;
  }

  private browse(type: string, protocol: 'tcp' | 'udp'): void {
    const key = dnsSdType(type, protocol);
    if (this.browsers.has(key) || this.stopped) return;
    if (this.browsers.size >= (this.options.limits?.maxTypes ?? 256)) { this.counters.ignoredTypes++; return; }
    const browser = this.bonjour!.find({ type, protocol });
    this.browsers.set(key, browser);
    const suffix = `.${key}.local`;
    const upsert = (service: Service) => this.upsert(browser, service, suffix, type, protocol);
    for (const event of ['up', 'srv-update', 'txt-update'] as const) browser.on(event, upsert);
    browser.on('down', (service: Service) => this.remove(String(service.fqdn).toLowerCase()));
  }

  private upsert(browser: Browser, service: Service, suffix: string, type: string, protocol: 'tcp' | 'udp'): void {
    const fqdn = String(service.fqdn);
    const key = fqdn.toLowerCase();
    const tracked = this.sightings.get(key);
    if (!tracked && this.sightings.size >= this.maxSightings) {
      this.counters.ignoredSightings++;
      return this.forget(browser, fqdn);
    }
    // The instance name is all before `._type._proto.local`, dots included (bonjour's own name field stops at the first).
    const name = key.endsWith(suffix) ? fqdn.slice(0, -suffix.length) : '';
    if (!name) return this.forget(browser, fqdn);
    const host = service.host.replace(/\.$/, '');
    const sighting: MdnsSighting = {
      name, type, protocol, host, port: service.port, addresses: mergeAddresses(service.addresses ?? [], this.addresses.of(host)),
      txt: decodeTxt((service as Service & { rawTxt?: Uint8Array[] }).rawTxt ?? []),
    };
    if (sighting.addresses.length === 0) this.ask([{ name: host, type: 'A' }]);
    if (tracked && JSON.stringify(tracked.sighting) === JSON.stringify(sighting)) return;
    if (tracked) this.unindex(key, tracked.sighting.host);
    this.byHost.set(host.toLowerCase(), (this.byHost.get(host.toLowerCase()) ?? new Set()).add(key));
    // Expiry starts at the recommended SRV TTL; noteTtls() sets the real one right after this packet.
    const { expiresAt = Date.now() + HOST_TTL * 1000, refreshAt = [] } = tracked ?? {};
    this.sightings.set(key, { sighting, fqdn, browser, expiresAt, refreshAt });
    this.options.onUp(sighting);
  }

  private remove(key: string): void {
    const tracked = this.sightings.get(key);
    if (!tracked) return;
    this.sightings.delete(key);
    this.unindex(key, tracked.sighting.host);
    this.forget(tracked.browser, tracked.fqdn);
    const { name, type, protocol } = tracked.sighting;
    this.options.onDown({ name, type, protocol });
  }

  private unindex(key: string, host: string): void {
    const keys = this.byHost.get(host.toLowerCase());
    keys?.delete(key);
    if (keys?.size === 0) this.byHost.delete(host.toLowerCase());
  }

  /** A host's address arrived apart from its services: add it to their sightings. */
  private readdress(host: string): void {
    for (const key of this.byHost.get(host) ?? []) {
      const tracked = this.sightings.get(key)!;
      const addresses = mergeAddresses(tracked.sighting.addresses, this.addresses.of(host));
      if (addresses.length === tracked.sighting.addresses.length) continue;
      tracked.sighting = { ...tracked.sighting, addresses };
      this.options.onUp(tracked.sighting);
    }
  }

  /** Drops a service from bonjour's Browser (its list and its private name map), so it is new when it shows up again. */
  private forget(browser: Browser, fqdn: string): void {
    const index = browser.services.findIndex((service) => sameName(String(service.fqdn), fqdn));
    if (index !== -1) browser.services.splice(index, 1);
    delete (browser as unknown as { serviceMap: Record<string, boolean> }).serviceMap[fqdn];
  }

  private noteTtls(records: DnsRecord[]): void {
    const now = Date.now();
    for (const record of records) {
      const tracked = record.type === 'SRV' ? this.sightings.get(record.name.toLowerCase()) : undefined;
      if (!tracked) continue;
      // A goodbye SRV expires one second later (RFC 6762 §10.1); otherwise ask again at 80 % and 90 % (§5.2).
      tracked.expiresAt = now + (record.ttl === 0 ? 1000 : record.ttl * 1000);
      tracked.refreshAt = record.ttl === 0 ? [] : [0.8, 0.9].map((share) => now + share * record.ttl * 1000);
    }
  }

  private sweep(): void {
    const now = Date.now();
    const questions: { name: string; type: string }[] = [];
    for (const [key, tracked] of this.sightings) {
      if (now >= tracked.expiresAt) this.remove(key);
      else if (tracked.refreshAt.length > 0 && now >= tracked.refreshAt[0]!) {
        tracked.refreshAt.shift();
        questions.push({ name: tracked.fqdn, type: 'SRV' });
      }
    }
    for (const [key, { at }] of this.unresolved) if (now - at > UNRESOLVED_MS) this.unresolved.delete(key);
    this.addresses.sweep(now);
    this.ask(questions);
  }

  private queryContinuously(intervalMs: number): void {
    this.after(intervalMs, () => {
      this.refresh();
      this.queryContinuously(Math.min(intervalMs * 2, MAX_QUERY_INTERVAL_MS));
    });
  }

  private ask(questions: { name: string; type: string }[]): void {
    if (this.stopped || !this.responder) return;
    for (let i = 0; i < questions.length; i += QUESTIONS_PER_PACKET) {
      this.responder.mdns.query({ questions: questions.slice(i, i + QUESTIONS_PER_PACKET) }, (error) => error && this.reportError(error));
    }
  }

  private after(ms: number, run: () => void): void {
    const timer = setTimeout(() => { this.timers.delete(timer); if (!this.stopped) run(); }, ms);
    this.timers.add(timer);
  }
  private every(ms: number, run: () => void): void { this.after(ms, () => { run(); this.every(ms, run); }); }
}
