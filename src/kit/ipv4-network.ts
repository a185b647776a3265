// IPv4 networks in settings (who may query a daemon): the checks a schema pattern cannot make.

/** Why `cidr` is not an IPv4 network (`10.0.0.0/8`: octets up to 255, a prefix up to 32, no bit set past it), or null. */
export function cidrProblem(cidr: string): string | null {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  const octets = match ? match.slice(1, 5).map(Number) : [];
  const prefix = match ? Number(match[5]) : -1;
  if (!match || octets.some((octet) => octet > 255) || prefix > 32) return `${cidr} is not an IPv4 network`;
  const value = octets.reduce((total, octet) => total * 256 + octet, 0);
  const hostBits = prefix === 32 ? 0 : value % 2 ** (32 - prefix);
  return hostBits === 0 ? null : `${cidr} has host bits set`;
}
