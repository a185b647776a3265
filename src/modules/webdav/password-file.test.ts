// The password file: one line per user, replaced or removed without touching the others.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { listUsers, parseHashLine, PasswordFileError, withoutUser, withUserLine } from './password-file.ts';

// Printed by `printf secret | htpasswd -n -i -B -C 5 alice` (apache2-utils 2.4.71).
const ALICE = 'alice:$2y$05$dzaMi3klSFpbR205Ze56r.yWSgsKbhXKAJkpHPJTk9ccsjhQDeO.G';
const ALICE2 = 'alice:$2y$05$r2KDxcqTBSY.QTNOox5SlutVXwzAmEdLjSUMdtpbn8XpuU7by8ftC';
const BOB = 'bob:$2y$05$XHy6STNtSTyd27fLZnryzeIER0Sr/i7lh/MaIUiAXfxb2iTx7rfpy';

test('htpasswd output is read as one bcrypt line for the named user', () => {
  assert.equal(parseHashLine(`${ALICE}\n\n`, 'alice'), ALICE);
  assert.throws(() => parseHashLine(`${ALICE}\n`, 'bob'), PasswordFileError);
  assert.throws(() => parseHashLine('alice:$apr1$abc$def\n', 'alice'), PasswordFileError, 'MD5 is refused');
  assert.throws(() => parseHashLine('', 'alice'), PasswordFileError);
  assert.throws(() => parseHashLine(`${ALICE}\n${BOB}\n`, 'alice'), PasswordFileError);
});

test('a new user is added, a known one replaced in place, others untouched', () => {
  const one = withUserLine('', 'alice', ALICE);
  assert.equal(one, `${ALICE}\n`);
  const two = withUserLine(one, 'bob', BOB);
  assert.equal(two, `${ALICE}\n${BOB}\n`);
  assert.equal(withUserLine(two, 'alice', ALICE2), `${ALICE2}\n${BOB}\n`);
  assert.deepEqual(listUsers(two), ['alice', 'bob']);
});

test('a user name that is the prefix of another removes only its own line', () => {
  const file = `${ALICE}\n${ALICE.replace('alice:', 'alice2:')}\n`;
  assert.deepEqual(listUsers(withoutUser(file, 'alice')), ['alice2']);
  assert.equal(withoutUser(`${ALICE}\n`, 'alice'), '');
  assert.equal(withoutUser(`${BOB}\n`, 'alice'), `${BOB}\n`, 'removing an unknown user changes nothing');
});

test('a line for another user or with a newline, and hostile user names, are refused', () => {
  assert.throws(() => withUserLine('', 'bob', ALICE), PasswordFileError);
  assert.throws(() => withUserLine('', 'alice', `${ALICE}\n${BOB}`), PasswordFileError);
  assert.throws(() => withoutUser(`${ALICE}\n`, 'a:b'), /User name/);
  assert.throws(() => withUserLine('', 'alice\nbob', ALICE), /User name/);
});
