// Checks of the DNS module's settings a schema cannot make: an IPv4 network's octets and host bits.
import { cidrProblem } from '../../kit/ipv4-network.ts';

export class DnsValueError extends Error {
  override name = 'DnsValueError';
}

/** `10.0.0.0/8`: four octets up to 255, a prefix up to 32, no bit set past the prefix. */
export function checkCidr(cidr: string): void {
  const problem = cidrProblem(cidr);
  if (problem !== null) throw new DnsValueError(problem);
}

/** The zone the module serves: the owner's, else `<microcloud>.internal`, else `community.internal`. */
export function zoneName(owned: string, microcloud: string): string {
  if (owned !== '') return owned.toLowerCase().replace(/\.$/, '');
  return /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(microcloud) ? `${microcloud}.internal` : 'community.internal';
}
