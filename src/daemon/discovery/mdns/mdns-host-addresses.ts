// Host name → addresses, from every A/AAAA record heard, for sightings whose SRV arrived without them.
//
// A responder need not repeat a host's A record with every SRV: RFC 6762 §6 forbids multicasting a record again
// within a second, and avahi often leaves it out of an SRV answer. So addresses are kept apart from services,
// for their TTL (120 s, RFC 6762 §10), with a goodbye (TTL 0, §10.1) removing one at once.
import type { DnsRecord } from './mdns-publisher.ts';

const MAX_ADDRESSES_PER_HOST = 8;

export class HostAddresses {
  /** host (lower case, no trailing dot) → address → expiry time (ms) */
  private readonly hosts = new Map<string, Map<string, number>>();

  constructor(private readonly maxHosts: number) {}

  /** Takes in the A/AAAA records of one packet; returns the hosts that gained an address. */
  note(records: DnsRecord[], now = Date.now()): Set<string> {
    const gained = new Set<string>();
    for (const record of records) {
      if (record.type !== 'A' && record.type !== 'AAAA') continue;
      const host = record.name.replace(/\.$/, '').toLowerCase();
      const address = String(record.data);
      let known = this.hosts.get(host);
      if (record.ttl === 0) { known?.delete(address); continue; }
      if (!known) {
        if (this.hosts.size >= this.maxHosts) continue;
        this.hosts.set(host, (known = new Map()));
      }
      if (!known.has(address) && known.size >= MAX_ADDRESSES_PER_HOST) continue;
      if (!known.has(address)) gained.add(host);
      known.set(address, now + record.ttl * 1000);
    }
    return gained;
  }

  /** The live addresses of a host, IPv4 first. */
  of(host: string, now = Date.now()): string[] {
    const known = this.hosts.get(host.replace(/\.$/, '').toLowerCase());
    return [...(known ?? [])].filter(([, expiresAt]) => expiresAt > now).map(([address]) => address).sort(ipv4First);
  }

  /** Drops expired addresses and hosts left without any. */
  sweep(now = Date.now()): void {
    for (const [host, known] of this.hosts) {
      for (const [address, expiresAt] of known) if (expiresAt <= now) known.delete(address);
      if (known.size === 0) this.hosts.delete(host);
    }
  }
}

export const ipv4First = (a: string, b: string) => Number(a.includes(':')) - Number(b.includes(':'));

/** Both lists' addresses once each, IPv4 first. */
export const mergeAddresses = (a: readonly string[], b: readonly string[]) => [...new Set([...a, ...b])].sort(ipv4First);
