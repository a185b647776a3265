// Publishes this node's adverts through bonjour-service's responder: RFC 6762 probing, renaming, announcements, goodbyes.
//
// bonjour-service's own Registry is not used. On a name conflict found while probing it only console.logs
// "Service name is already in use on the network", emits no event, leaves the service unpublished and sends
// goodbyes (TTL 0) for that name, so browsers drop the OTHER host's service until it announces again (seen in
// the lab: down on a third host 0.6 s later). And unpublishing one service withdraws the A and
// `_services._dns-sd._udp` records that all others share. Not handled here either: simultaneous-probe
// tie-breaking (RFC 6762 §8.2) and conflicts that arise after announcing (§9).
import { dnsSdType, renamed, type MdnsAdvert } from '../../../shared/dns-sd.ts';

export interface DnsRecord { name: string; type: string; ttl: number; data: unknown; flush?: boolean }
export interface DnsPacket { answers?: DnsRecord[]; additionals?: DnsRecord[] }
type Listener = (...args: never[]) => void;
/** The parts of multicast-dns (the socket inside bonjour-service) that we use. */
export interface MulticastDns {
  query(query: object, callback?: (error?: Error | null) => void): void;
  respond(response: object, callback?: (error?: Error | null) => void): void;
  on(event: string, listener: Listener): void; once(event: string, listener: Listener): void; removeListener(event: string, listener: Listener): void;
  emit(event: string, ...args: unknown[]): boolean;
}
/** bonjour-service's responder (the private field `server` of Bonjour): answers queries from its record registry. */
export interface Responder { mdns: MulticastDns; register(records: DnsRecord[]): void; unregister(records: DnsRecord[]): void }

export const SERVICE_TYPES = '_services._dns-sd._udp.local'; // RFC 6763 §9
export const HOST_TTL = 120; // RFC 6762 §10: records that name a host (SRV, A)
const OTHER_TTL = 4500; // RFC 6762 §10: all other records
const MAX_NAMES = 16;

export const sameName = (a: string, b: string) => a.replace(/\.$/, '').toLowerCase() === b.replace(/\.$/, '').toLowerCase();
export const recordsOf = (packet: DnsPacket) => [...(packet.answers ?? []), ...(packet.additionals ?? [])];

export class MdnsConflictError extends Error { override name = 'MdnsConflictError'; }

interface Published { advert: MdnsAdvert; name: string; fqdn: string; records: DnsRecord[]; timers: NodeJS.Timeout[] }

export class MdnsPublisher {
  private readonly published: Published[] = [];
  private queue: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly responder: Responder,
    private readonly host: { fqdn: string; address: string },
    private readonly reportError: (error: Error) => void,
  ) {}

  /** Desired state (adverts already checked): withdraws removed or changed adverts, publishes new ones. Calls run in order. */
  set(adverts: MdnsAdvert[]): Promise<void> {
    const run = this.queue.then(() => (this.stopped ? undefined : this.apply(adverts)));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** What is published now, with the instance name actually in use after conflict renames. */
  advertised(): MdnsAdvert[] { return this.published.map(({ advert, name }) => ({ ...advert, name })); }

  async stop(): Promise<void> {
    await this.queue;
    await this.withdraw(this.published.splice(0));
    this.stopped = true;
  }

  private async apply(adverts: MdnsAdvert[]): Promise<void> {
    const same = (a: MdnsAdvert, b: MdnsAdvert) => JSON.stringify(a) === JSON.stringify(b);
    const stale = this.published.filter(({ advert }) => !adverts.some((wanted) => same(wanted, advert)));
    for (const entry of stale) this.published.splice(this.published.indexOf(entry), 1);
    await this.withdraw(stale);
    const fresh = adverts.filter((wanted) => !this.published.some(({ advert }) => same(wanted, advert)));
    await Promise.all(fresh.map((advert) => this.publish(advert)));
  }

  private async publish(advert: MdnsAdvert): Promise<void> {
    // dns-packet cannot encode a '.' inside a label (it splits names at every dot), so it is published as '-'.
    const base = advert.name.replaceAll('.', '-');
    const type = `${dnsSdType(advert.type, advert.protocol)}.local`;
    for (let attempt = 1; attempt <= MAX_NAMES; attempt++) {
      const name = renamed(base, attempt);
      const fqdn = `${name}.${type}`;
      const records = this.recordsFor(advert, fqdn, type);
      // Taken by one of our adverts (checked again after probing: adverts are probed concurrently) or by another host.
      const ours = () => this.published.some((entry) => sameName(entry.fqdn, fqdn));
      if (ours() || (await this.probe(fqdn, records)) || ours()) continue;
      const entry: Published = { advert, name, fqdn, records, timers: [] };
      this.published.push(entry);
      this.responder.register(records);
      // RFC 6762 §8.3: announce at least twice, one second apart, then at doubling intervals.
      const announce = () => this.responder.mdns.respond({ answers: records }, (error) => error && this.reportError(error));
      announce();
      entry.timers = [1000, 3000].map((ms) => setTimeout(announce, ms));
      return;
    }
    this.reportError(new MdnsConflictError(`Could not publish "${advert.name}" (${type}): that name and ${MAX_NAMES - 1} renamed variants are taken on the network; choose another name.`));
  }

  private recordsFor(advert: MdnsAdvert, fqdn: string, type: string): DnsRecord[] {
    const txt = Object.entries(advert.txt).map(([key, value]) => Buffer.from(`${key}=${value}`));
    // Unique records carry the cache-flush bit (RFC 6762 §10.2); shared PTRs must not.
    return [
      { name: type, type: 'PTR', ttl: OTHER_TTL, data: fqdn },
      { name: fqdn, type: 'SRV', ttl: HOST_TTL, flush: true, data: { port: advert.port, target: this.host.fqdn, priority: 0, weight: 0 } },
      // RFC 6763 §6.1: an empty TXT record is a single zero-length string.
      { name: fqdn, type: 'TXT', ttl: OTHER_TTL, flush: true, data: txt.length > 0 ? txt : [Buffer.alloc(0)] },
      { name: SERVICE_TYPES, type: 'PTR', ttl: OTHER_TTL, data: type },
      { name: this.host.fqdn, type: 'A', ttl: HOST_TTL, flush: true, data: this.host.address },
    ];
  }

  /**
   * RFC 6762 §8.1: three queries 250 ms apart (after a random 0-250 ms), our proposed SRV and TXT in the authority
   * section (§8.2); any live record with that name in a response means another host has it.
   */
  private probe(fqdn: string, records: DnsRecord[]): Promise<boolean> {
    const { mdns } = this.responder;
    return new Promise((resolve) => {
      let sent = 0;
      let timer: NodeJS.Timeout;
      const onResponse = (packet: DnsPacket) => {
        // TTL 0 is a goodbye, e.g. our own for the previous version of a changed advert.
        if (recordsOf(packet).some((record) => record.ttl > 0 && sameName(record.name, fqdn))) finish(true);
      };
      const finish = (conflict: boolean) => { clearTimeout(timer); mdns.removeListener('response', onResponse); resolve(conflict); };
      const send = () => {
        if (sent++ === 3) return finish(false);
        const proposed = records.filter((record) => record.name === fqdn);
        mdns.query({ questions: [{ name: fqdn, type: 'ANY' }], authorities: proposed });
        timer = setTimeout(send, 250);
      };
      mdns.on('response', onResponse);
      timer = setTimeout(send, Math.random() * 250);
    });
  }

  /** RFC 6762 §10.1 goodbyes (TTL 0) for every record no remaining advert still needs. */
  private async withdraw(entries: Published[]): Promise<void> {
    if (entries.length === 0) return;
    for (const entry of entries) entry.timers.forEach(clearTimeout);
    const id = (record: DnsRecord) => `${record.type} ${record.name} ${JSON.stringify(record.data)}`;
    const stillNeeded = new Set(this.published.flatMap(({ records }) => records.map(id)));
    const goodbyes = entries.flatMap(({ records }) => records).filter((record) => !stillNeeded.has(id(record)))
      .map((record) => ({ ...record, ttl: 0 }));
    // unregister() drops every record of that type and name, other adverts' shared ones too: register those again.
    this.responder.unregister(goodbyes);
    for (const { records } of this.published) this.responder.register(records);
    await new Promise<void>((resolve) => this.responder.mdns.respond({ answers: goodbyes }, (error) => {
      if (error) this.reportError(error);
      resolve();
    }));
  }
}
