// Overlay addresses: parsing a subnet and taking the lowest free host address in it.
import { IPV4_CIDR_PATTERN } from '../../shared/vpn-contract.ts';

export interface Ipv4Subnet {
  /** Network address as an unsigned 32-bit integer. */
  base: number;
  prefix: number;
}

export const ipv4ToInt = (address: string): number => address.split('.').reduce((value, octet) => value * 256 + Number(octet), 0);
export const intToIpv4 = (value: number): string => [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');

/** A subnet members can live in: /8 to /30 (two usable addresses at least), written with its network address. */
export function parseSubnet(cidr: string): Ipv4Subnet {
  if (!new RegExp(IPV4_CIDR_PATTERN).test(cidr)) throw new Error(`${cidr} is not an IPv4 range like 10.99.0.0/24`);
  const [address, bits] = cidr.split('/') as [string, string];
  const prefix = Number(bits);
  if (prefix < 8 || prefix > 30) throw new Error(`${cidr}: the prefix must be between /8 and /30`);
  const base = ipv4ToInt(address);
  const size = 2 ** (32 - prefix);
  if (base % size !== 0) throw new Error(`${cidr} is not a network address; did you mean ${intToIpv4(base - (base % size))}/${prefix}?`);
  return { base, prefix };
}

export function contains(subnet: Ipv4Subnet, address: string): boolean {
  const value = ipv4ToInt(address);
  return value > subnet.base && value < subnet.base + 2 ** (32 - subnet.prefix) - 1;
}

/** The lowest host address not in `taken` (numeric order: .10 comes after .9, unlike the 2015 server), or null when full. */
export function lowestFreeAddress(subnet: Ipv4Subnet, taken: Iterable<string>): string | null {
  const used = new Set([...taken].map(ipv4ToInt));
  const last = subnet.base + 2 ** (32 - subnet.prefix) - 2;
  for (let value = subnet.base + 1; value <= last; value++) {
    if (!used.has(value)) return intToIpv4(value);
  }
  return null;
}
