// Password hashing (scrypt) and setup codes; the login throttle has its own file.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { generateSetupCode, setupCodeMatches } from '../setup-code.ts';
import { hashPassword, UNKNOWN_USER_HASH, verifyPassword } from './password-hash.ts';

test('password hashes are salted scrypt and verify only the right password', async () => {
  const first = await hashPassword('correct horse');
  const second = await hashPassword('correct horse');
  assert.match(first, /^scrypt\$32768\$8\$1\$/);
  assert.notEqual(first, second, 'salted');
  assert.equal(await verifyPassword('correct horse', first), true);
  assert.equal(await verifyPassword('correct horsE', first), false);
  assert.equal(await verifyPassword('anything', UNKNOWN_USER_HASH), false);
  assert.equal(await verifyPassword('x', 'md5$abc'), false);
});

test('setup codes are readable and compared forgivingly but exactly', () => {
  const code = generateSetupCode();
  assert.match(code, /^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$/);
  assert.equal(setupCodeMatches(code, ` ${code.toLowerCase()} `), true);
  assert.equal(setupCodeMatches(code, code.slice(0, -1)), false);
  assert.notEqual(generateSetupCode(), code);
});
