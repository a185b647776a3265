// The password file: one line per user, only bcrypt, only well-formed names.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { passwordFile, PasswordFileError } from './password-file.ts';

// Printed by `printf secret | htpasswd -n -i -B -C 5 alice` (apache2-utils 2.4.71).
const ALICE_HASH = '$2y$05$dzaMi3klSFpbR205Ze56r.yWSgsKbhXKAJkpHPJTk9ccsjhQDeO.G';
const BOB_HASH = '$2y$05$XHy6STNtSTyd27fLZnryzeIER0Sr/i7lh/MaIUiAXfxb2iTx7rfpy';

test('one line per user, in order; no users is an empty file', () => {
  assert.equal(passwordFile([{ name: 'alice', passwordHash: ALICE_HASH }, { name: 'bob', passwordHash: BOB_HASH }]), `alice:${ALICE_HASH}\nbob:${BOB_HASH}\n`);
  assert.equal(passwordFile([]), '');
});

test('a name or a hash that could break the file is refused', () => {
  for (const name of ['x:y', 'a b', 'a\nb', '', 'Alice']) assert.throws(() => passwordFile([{ name, passwordHash: ALICE_HASH }]), name);
  for (const passwordHash of ['$apr1$abc$def', `${ALICE_HASH}\nbob:${BOB_HASH}`, 'plain text', '$2b$05$dzaMi3klSFpbR205Ze56r.yWSgsKbhXKAJkpHPJTk9ccsjhQDeO.G']) {
    assert.throws(() => passwordFile([{ name: 'alice', passwordHash }]), PasswordFileError, passwordHash);
  }
});
