// A module's lists: items checked against their schema and each other, passwords kept only as $2y$ bcrypt hashes.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import bcrypt from 'bcryptjs';

import { webdavManifest } from '../modules/webdav/manifest.ts';
import { ApiError } from './api-error.ts';
import { openDatabase } from './database.ts';
import { ModuleCollections } from './module-collections.ts';

const english = (name: 'shares' | 'users') => ({ language: 'en' as const, wording: webdavManifest.collections[name].itemSchema });

async function refusal(work: Promise<unknown>): Promise<Record<string, string>> {
  try {
    await work;
  } catch (error) {
    assert.ok(error instanceof ApiError, String(error));
    assert.equal(error.statusCode, 400);
    return error.fields ?? {};
  }
  assert.fail('expected a refusal');
}

test('a password is kept only as a $2y$ bcrypt hash at the declared cost, and a new one replaces it', async () => {
  const lists = new ModuleCollections(openDatabase(':memory:'));
  const alice = await lists.put(webdavManifest, 'users', 'alice', { values: {}, password: 'correct horse' }, english('users'));
  assert.match(alice.passwordHash!, /^\$2y\$08\$[./A-Za-z0-9]{53}$/);
  assert.ok(await bcrypt.compare('correct horse', alice.passwordHash!.replace('$2y$', '$2b$')));
  // Changing other values keeps the hash; a new password replaces it.
  assert.equal((await lists.put(webdavManifest, 'users', 'alice', { values: {} }, english('users'))).passwordHash, alice.passwordHash);
  const changed = await lists.put(webdavManifest, 'users', 'alice', { values: {}, password: 'battery staple' }, english('users'));
  assert.notEqual(changed.passwordHash, alice.passwordHash);
  assert.ok(!JSON.stringify(lists.items('webdav', 'users')).includes('battery staple'));
});

test('a new item needs a password; a bad one is refused on its field', async () => {
  const lists = new ModuleCollections(openDatabase(':memory:'));
  assert.ok((await refusal(lists.put(webdavManifest, 'users', 'bob', { values: {} }, english('users')))).password);
  for (const password of ['short', 'new\nline1', 'é'.repeat(40)]) {
    assert.ok((await refusal(lists.put(webdavManifest, 'users', 'bob', { values: {}, password }, english('users')))).password, password);
  }
  assert.deepEqual(lists.items('webdav', 'users'), []);
});

test('list fields name only existing items; a list written a,b is read as one; the name cannot change', async () => {
  const lists = new ModuleCollections(openDatabase(':memory:'));
  await lists.put(webdavManifest, 'users', 'alice', { values: {}, password: 'correct horse' }, english('users'));
  const fields = await refusal(lists.put(webdavManifest, 'shares', 'docs', { values: { readWriteUsers: 'alice, mallory' } }, english('shares')));
  assert.equal(fields.readWriteUsers, 'Unknown: mallory.');
  const docs = await lists.put(webdavManifest, 'shares', 'docs', { values: { readWriteUsers: 'alice', public: 'true' } }, english('shares'));
  assert.deepEqual(docs.values, { name: 'docs', readWriteUsers: ['alice'], readOnlyUsers: [], public: true });
  assert.ok((await refusal(lists.put(webdavManifest, 'shares', 'docs', { values: { name: 'other' } }, english('shares')))).name);
});

test('removing an item takes it out of the lists that name it, in one go', async () => {
  const lists = new ModuleCollections(openDatabase(':memory:'));
  for (const name of ['alice', 'bob']) await lists.put(webdavManifest, 'users', name, { values: {}, password: 'correct horse' }, english('users'));
  await lists.put(webdavManifest, 'shares', 'docs', { values: { readWriteUsers: ['alice', 'bob'], readOnlyUsers: ['bob'] } }, english('shares'));
  lists.remove(webdavManifest, 'users', 'bob');
  assert.deepEqual(lists.items('webdav', 'shares')[0]!.values, { name: 'docs', readWriteUsers: ['alice'], readOnlyUsers: [], public: false });
  assert.deepEqual(lists.items('webdav', 'users').map((item) => item.key), ['alice']);
  assert.throws(() => lists.remove(webdavManifest, 'users', 'bob'), /does not exist/);
});

test('a list is refused past its size, and an unknown list is not found', async () => {
  const lists = new ModuleCollections(openDatabase(':memory:'));
  const tiny = { ...webdavManifest, collections: { ...webdavManifest.collections, shares: { ...webdavManifest.collections.shares, maxItems: 1 } } };
  await lists.put(tiny, 'shares', 'one', { values: {} }, english('shares'));
  assert.match((await refusal(lists.put(tiny, 'shares', 'two', { values: {} }, english('shares')))).name!, /at most 1 items/);
  await lists.put(tiny, 'shares', 'one', { values: { public: true } }, english('shares'));
  assert.throws(() => lists.spec(webdavManifest, 'nothing'), /does not exist/);
});
