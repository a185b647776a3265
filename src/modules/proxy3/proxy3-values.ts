// Strict checks of every value the proxy module writes into squid.conf or a PAC file: only these shapes pass.
import { isIPv4, isIPv6 } from 'node:net';

/** A value that failed its check; `field` names the setting so the caller can show it on the right form field. */
export class Proxy3ValueError extends Error {
  override name = 'Proxy3ValueError';
  constructor(readonly field: string, message: string) {
    super(`${field}: ${message}`);
  }
}

const HOST_LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const HOSTNAME = new RegExp(`^${HOST_LABEL}(?:\\.${HOST_LABEL})*$`);
/** `attr=value` pairs joined by commas, no spaces, quotes, escapes or LDAP filter metacharacters. */
const DN = /^[A-Za-z][A-Za-z0-9-]{0,30}=[A-Za-z0-9][A-Za-z0-9._-]{0,62}(?:,[A-Za-z][A-Za-z0-9-]{0,30}=[A-Za-z0-9][A-Za-z0-9._-]{0,62}){0,9}$/;
/** A Guifi proxy id (numeric node id) or a short name: used as an LDAP group `cn` and a squid ACL argument. */
const PROXY_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
/** Squid's error page directories in squid-langpack: `es`, `ca`, `en`, `pt-br`, `zh-hans`. */
const LANGUAGE = /^[a-z]{2,3}(?:-[a-z]{2,4})?$/;
/** An absolute path made of plain names only: no spaces, quotes, `..` or other specials. */
const SAFE_PATH = /^(?:\/[A-Za-z0-9_][A-Za-z0-9._-]{0,127})+$/;

export function checkHostname(field: string, value: string): string {
  if (value.length > 253 || (!isIPv4(value) && !HOSTNAME.test(value))) {
    throw new Proxy3ValueError(field, `"${printable(value)}" is not a host name or IPv4 address (letters, digits, dots and dashes only).`);
  }
  return value;
}

export function checkPort(field: string, value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > 65535) throw new Proxy3ValueError(field, `${value} is not a TCP port (1-65535).`);
  return value;
}

export function checkInteger(field: string, value: number, minimum: number, maximum: number): number {
  if (!Number.isInteger(value) || value < minimum || value > maximum) {
    throw new Proxy3ValueError(field, `${value} must be a whole number from ${minimum} to ${maximum}.`);
  }
  return value;
}

/** An IPv4 or IPv6 network in CIDR form whose host bits are zero, e.g. `10.0.0.0/8`; returned unchanged. */
export function checkCidr(field: string, value: string): string {
  const match = /^([0-9A-Fa-f:.]{2,39})\/(\d{1,3})$/.exec(value);
  const address = match?.[1] ?? '';
  const bits = Number(match?.[2]);
  const v4 = isIPv4(address);
  if (!match || (!v4 && !isIPv6(address)) || bits > (v4 ? 32 : 128)) {
    throw new Proxy3ValueError(field, `"${printable(value)}" is not a network in CIDR form such as 10.0.0.0/8.`);
  }
  if (v4 && (ipv4ToInteger(address) & ~prefixMask(bits)) >>> 0 !== 0) {
    throw new Proxy3ValueError(field, `${value} has host bits set; write the network address (e.g. ${integerToIpv4(ipv4ToInteger(address) & prefixMask(bits))}/${bits}).`);
  }
  return value;
}

export function checkDn(field: string, value: string): string {
  if (!DN.test(value)) throw new Proxy3ValueError(field, `"${printable(value)}" is not a plain DN such as ou=users,dc=guifi,dc=net (no spaces, quotes or escapes).`);
  return value;
}

export function checkProxyId(field: string, value: string): string {
  if (!PROXY_ID.test(value)) throw new Proxy3ValueError(field, `"${printable(value)}" is not a proxy id (letters, digits, . _ -; at most 63).`);
  return value;
}

export function checkLanguage(field: string, value: string): string {
  if (!LANGUAGE.test(value)) throw new Proxy3ValueError(field, `"${printable(value)}" is not a language code such as es, ca, en or pt-br.`);
  return value;
}

export function checkSafePath(field: string, value: string): string {
  if (!SAFE_PATH.test(value) || value.split('/').includes('..')) throw new Proxy3ValueError(field, `"${printable(value)}" is not a plain absolute path.`);
  return value;
}

/** `host` or `host:port` of an LDAP server, as an `ldap://` URI for the squid helpers' `-H`. */
export function ldapUri(field: string, value: string): string {
  const match = /^([^:]+)(?::(\d{1,5}))?$/.exec(value);
  if (!match) throw new Proxy3ValueError(field, `"${printable(value)}" is not host or host:port.`);
  const host = checkHostname(field, match[1]!);
  const port = match[2] === undefined ? 389 : checkPort(field, Number(match[2]));
  return `ldap://${host}:${port}`;
}

export function ipv4ToInteger(address: string): number {
  return address.split('.').reduce((n, octet) => n * 256 + Number(octet), 0) >>> 0;
}

export function prefixMask(bits: number): number {
  return bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
}

export function integerToIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => (value >>> shift) & 255).join('.');
}

/** For error messages: control characters shown escaped, so a hostile value cannot forge log lines. */
function printable(value: string): string {
  return JSON.stringify(value.slice(0, 80)).slice(1, -1);
}
