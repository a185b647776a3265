// The one-time code that proves the first visitor owns the machine: printed on the console, kept root-only.
import { randomInt, timingSafeEqual } from 'node:crypto';

// No 0/O, 1/I: the code is read off a console and typed by hand.
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

export function generateSetupCode(): string {
  const groups = Array.from({ length: 3 }, () => Array.from({ length: 4 }, () => ALPHABET[randomInt(ALPHABET.length)]).join(''));
  return groups.join('-');
}

export function setupCodeMatches(expected: string, given: string): boolean {
  const normalised = given.trim().toUpperCase().replace(/\s+/g, '');
  const left = Buffer.from(expected);
  const right = Buffer.from(normalised);
  return left.length === right.length && timingSafeEqual(left, right);
}
