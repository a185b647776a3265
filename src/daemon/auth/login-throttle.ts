// Slows password guessing per (account, address) and per address, so nobody can lock an account out from elsewhere.
import net from 'node:net';

export interface ThrottleLimits {
  /** Failures for one account from one address within the window before that pair waits. */
  perAccountAndAddress: number;
  /** Failures from one address, whatever the accounts, within the window before that address waits. */
  perAddress: number;
  windowMs: number;
  /** Counters kept at most; past that the least recently failed one is forgotten. */
  maxCounters: number;
}

export const DEFAULT_LIMITS: ThrottleLimits = { perAccountAndAddress: 5, perAddress: 20, windowMs: 15 * 60_000, maxCounters: 10_000 };

/**
 * The address a counter is kept for: IPv4 as it is (IPv4-mapped IPv6 too), IPv6 by its /64, because one host
 * usually holds a whole /64 and could otherwise guess from a fresh address every time.
 */
export function throttleAddress(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  const address = ip.split('%')[0]!;
  if (!net.isIPv6(address)) return address;
  const [head = '', tail] = address.toLowerCase().split('::');
  const groupsOf = (part: string) => (part ? part.split(':').flatMap((group) => (group.includes('.') ? ['v4', 'v4'] : [group])) : []);
  const leading = groupsOf(head);
  const trailing = tail === undefined ? [] : groupsOf(tail);
  const groups = [...leading, ...Array<string>(8 - leading.length - trailing.length).fill('0'), ...trailing];
  return `${groups.slice(0, 4).map((group) => Number.parseInt(group, 16).toString(16)).join(':')}::/64`;
}

export class LoginThrottle {
  /** Key → times of its most recent failures (at most the key's limit), oldest first. Map order: least recently failed first. */
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly limits: ThrottleLimits = DEFAULT_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds to wait before another attempt for this account from this address is allowed, or 0. */
  retryAfterSeconds(ip: string, username: string): number {
    let waitMs = 0;
    for (const [key, limit] of this.keys(ip, username)) {
      const recent = this.recent(key);
      if (recent.length >= limit) waitMs = Math.max(waitMs, recent[recent.length - limit]! + this.limits.windowMs - this.now());
    }
    return Math.ceil(waitMs / 1000);
  }

  recordFailure(ip: string, username: string): void {
    for (const [key, limit] of this.keys(ip, username)) {
      const recent = [...this.recent(key), this.now()].slice(-limit);
      this.failures.delete(key);
      this.failures.set(key, recent);
    }
    for (const oldest of this.failures.keys()) {
      if (this.failures.size <= this.limits.maxCounters) break;
      this.failures.delete(oldest);
    }
  }

  /** A success clears that account's counter from that address only: it must not reset the address's budget for other accounts. */
  recordSuccess(ip: string, username: string): void {
    this.failures.delete(this.keys(ip, username)[0]![0]);
  }

  /** How many counters are held (for tests of the bound). */
  get size(): number {
    return this.failures.size;
  }

  private keys(ip: string, username: string): Array<[string, number]> {
    const address = throttleAddress(ip);
    return [
      [`account:${address} ${username}`, this.limits.perAccountAndAddress],
      [`address:${address}`, this.limits.perAddress],
    ];
  }

  /** Failures of the key still inside the window; a key with none left is dropped. Never creates a counter. */
  private recent(key: string): number[] {
    const times = this.failures.get(key);
    if (!times) return [];
    const recent = times.filter((time) => this.now() - time < this.limits.windowMs);
    if (recent.length === 0) this.failures.delete(key);
    else if (recent.length < times.length) this.failures.set(key, recent);
    return recent;
  }
}
