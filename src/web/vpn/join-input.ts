// What a member needs to join, as text: the two lines a server hands out, the join URLs of found servers, quick shape checks.
import type { ServiceRecord } from '../../shared/discovery-contract.ts';
import { JOIN_TOKEN_PATTERN, NETWORK_NAME_PATTERN } from '../../shared/vpn-names.ts';

/** The token's pattern without its anchors, to find it at the end of a longer text. */
const TOKEN_BODY = JOIN_TOKEN_PATTERN.slice(1, -1);
/** The two lines, or `cloudy vpn join URL TOKEN` as the CLI prints it; a single-line input drops the newline, so the token is found by its shape. */
const JOIN_TEXT = new RegExp(`^\\s*(?:cloudy\\s+vpn\\s+join\\s+)?(https://\\S+?)\\s*(${TOKEN_BODY})\\s*$`);
/** Most networks one record may offer: remote text, so bounded. */
const MAX_ADVERTISED_NETWORKS = 32;

/** What a server hands a member, as text to copy and as QR code: the join URL, a newline, the token. */
export const joinText = (url: string, token: string): string => `${url}\n${token}`;

/** The URL and token in pasted join text, or null when the text is not one. */
export function splitJoinText(text: string): { url: string; token: string } | null {
  const match = JOIN_TEXT.exec(text);
  return match ? { url: match[1]!, token: match[2]! } : null;
}

export const isJoinToken = (text: string): boolean => new RegExp(JOIN_TOKEN_PATTERN).test(text.trim());

/** `https://host:port/vpn/v1/networks/<name>`: the only URLs cloudyd joins (`networkOfJoinUrl` in vpn-member.ts). */
export function isJoinUrl(text: string): boolean {
  try {
    const url = new URL(text.trim());
    const match = /^\/vpn\/v1\/networks\/([^/]+)$/.exec(url.pathname);
    return url.protocol === 'https:' && match !== null && new RegExp(NETWORK_NAME_PATTERN).test(match[1]!) && url.search === '' && url.hash === '';
  } catch {
    return false;
  }
}

/** The join URL of a network on a server found by discovery (an IPv6 address in brackets). */
export function joinUrlOf(address: string, port: number, network: string): string {
  const host = address.includes(':') ? `[${address}]` : address;
  return `https://${host}:${port}/vpn/v1/networks/${network}`;
}

/** The networks a `vpn-server` record offers (TXT `networks`, comma-separated): only valid names, each once. */
export function advertisedNetworks(record: Pick<ServiceRecord, 'txt'>): string[] {
  const pattern = new RegExp(NETWORK_NAME_PATTERN);
  const names = (record.txt.networks ?? '').split(',').map((name) => name.trim());
  return [...new Set(names.filter((name) => pattern.test(name)))].slice(0, MAX_ADVERTISED_NETWORKS);
}
