// Join tokens: `cyvpn1.<id>.<secret>.<certificate pin>`. The server keeps only the secret's SHA-256; the pin lets
// the joining node check it talks to the server that issued the token, whatever network the token was pasted on.
import { createHash, randomBytes, timingSafeEqual, X509Certificate } from 'node:crypto';

import { JOIN_TOKEN_PATTERN } from '../../shared/vpn-contract.ts';

export interface IssuedToken {
  id: string;
  token: string;
  secretHash: string;
}

export interface ParsedToken {
  id: string;
  secret: string;
  /** base64url SHA-256 of the server certificate (DER). */
  pin: string;
}

/** The full SHA-256 of a certificate, base64url: what tokens carry and joiners compare. */
export function certificateSha256(certificatePem: string | Buffer): string {
  return Buffer.from(new X509Certificate(certificatePem).fingerprint256.replaceAll(':', ''), 'hex').toString('base64url');
}

export const hashSecret = (secret: string): string => createHash('sha256').update(secret).digest('hex');

/** Random secrets of 256 bits: a plain SHA-256 suffices (no password stretching needed), compared in constant time. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const given = Buffer.from(hashSecret(secret), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return given.length === stored.length && timingSafeEqual(given, stored);
}

export function issueToken(certificatePin: string): IssuedToken {
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { id, token: `cyvpn1.${id}.${secret}.${certificatePin}`, secretHash: hashSecret(secret) };
}

export function parseToken(token: string): ParsedToken | null {
  if (!new RegExp(JOIN_TOKEN_PATTERN).test(token.trim())) return null;
  const [, id, secret, pin] = token.trim().split('.') as [string, string, string, string];
  return { id, secret, pin };
}

/** A new random member secret: members authenticate their long-polls and their leave with it. */
export const newMemberSecret = (): string => randomBytes(32).toString('base64url');

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `30s`, `30m`, `1h`, `7d` → milliseconds; at most 90 days. */
export function durationMs(text: string): number {
  const match = /^([1-9][0-9]{0,4})([smhd])$/.exec(text);
  if (!match) throw new Error(`${text} is not a duration like 30m, 1h or 7d`);
  const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  if (ms > 90 * UNIT_MS.d) throw new Error(`${text} is longer than 90 days`);
  return ms;
}
