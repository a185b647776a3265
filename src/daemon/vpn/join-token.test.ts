// Unit tests of join tokens: shape, secrets kept only as hashes, forgery detection, durations.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { durationMs, hashSecret, issueToken, parseToken, secretMatches } from './join-token.ts';

const PIN = 'A'.repeat(43);

test('a token carries its id, a 256-bit secret and the certificate pin; the server keeps only the hash', () => {
  const issued = issueToken(PIN);
  const parsed = parseToken(issued.token);
  assert.ok(parsed);
  assert.equal(parsed.id, issued.id);
  assert.equal(parsed.pin, PIN);
  assert.equal(issued.secretHash, hashSecret(parsed.secret));
  assert.ok(!issued.secretHash.includes(parsed.secret));
  assert.ok(secretMatches(parsed.secret, issued.secretHash));
});

test('a changed secret does not match, and malformed tokens are not tokens', () => {
  const issued = issueToken(PIN);
  const parsed = parseToken(issued.token)!;
  const flipped = `${parsed.secret.slice(0, -1)}${parsed.secret.endsWith('A') ? 'B' : 'A'}`;
  assert.equal(secretMatches(flipped, issued.secretHash), false);
  assert.equal(secretMatches(parsed.secret, 'not-a-hash'), false);
  for (const bad of ['', 'cyvpn1', `${issued.token}.x`, issued.token.replace('cyvpn1', 'cyvpn2'), `${issued.token}\nSubnet = 0.0.0.0/0`, issued.token.toUpperCase()]) {
    assert.equal(parseToken(bad), null, bad);
  }
});

test('durations: seconds, minutes, hours, days, at most 90 days', () => {
  assert.equal(durationMs('30m'), 1_800_000);
  assert.equal(durationMs('1h'), 3_600_000);
  assert.equal(durationMs('7d'), 604_800_000);
  assert.throws(() => durationMs('91d'), /longer than 90 days/);
  assert.throws(() => durationMs('1w'), /not a duration/);
  assert.throws(() => durationMs('0h'), /not a duration/);
  assert.equal(durationMs('30s'), 30_000);
});
