// Checks of the DNS module's settings a schema cannot make: an IPv4 network's octets and host bits.
export class DnsValueError extends Error {
  override name = 'DnsValueError';
}

/** `10.0.0.0/8`: four octets up to 255, a prefix up to 32, no bit set past the prefix. */
export function checkCidr(cidr: string): void {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  const octets = match ? match.slice(1, 5).map(Number) : [];
  const prefix = match ? Number(match[5]) : -1;
  if (!match || octets.some((octet) => octet > 255) || prefix > 32) throw new DnsValueError(`${cidr} is not an IPv4 network`);
  const value = octets.reduce((total, octet) => total * 256 + octet, 0);
  const hostBits = prefix === 32 ? 0 : value % 2 ** (32 - prefix);
  if (hostBits !== 0) throw new DnsValueError(`${cidr} has host bits set`);
}

/** The zone the module serves: the owner's, else `<microcloud>.internal`, else `community.internal`. */
export function zoneName(owned: string, microcloud: string): string {
  if (owned !== '') return owned.toLowerCase().replace(/\.$/, '');
  return /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(microcloud) ? `${microcloud}.internal` : 'community.internal';
}
