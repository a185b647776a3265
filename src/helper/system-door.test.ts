// The door writes atomically and only below declared paths.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';

import { LocalSystemDoor, PathNotDeclaredError } from './system-door.ts';

const base = mkdtempSync(path.join(os.tmpdir(), 'cloudy-door-'));
const door = new LocalSystemDoor([path.join(base, 'allowed')]);
after(() => rmSync(base, { recursive: true, force: true }));

test('files are written whole, with their mode, and no temp file remains', async () => {
  const file = path.join(base, 'allowed/sub/config.json');
  await door.writeFileAtomic(file, '{"a":1}', { mode: 0o640 });
  assert.equal(readFileSync(file, 'utf8'), '{"a":1}');
  assert.equal(statSync(file).mode & 0o777, 0o640);
  await door.writeFileAtomic(file, '{"a":2}', { mode: 0o640 });
  assert.equal(readFileSync(file, 'utf8'), '{"a":2}');
  assert.deepEqual(readdirSync(path.dirname(file)), ['config.json']);
});

test('paths outside the declared ones are refused before touching the disk', async () => {
  for (const outside of [path.join(base, 'other/file'), path.join(base, 'allowed/../escape'), 'relative/path', path.join(base, 'allowedx/file')]) {
    await assert.rejects(door.writeFileAtomic(outside, 'x', { mode: 0o600 }), PathNotDeclaredError);
    await assert.rejects(door.ensureDirectory(outside, { mode: 0o700 }), PathNotDeclaredError);
  }
  await assert.rejects(door.removeTree(path.join(base, 'allowed')), PathNotDeclaredError, 'the declared root itself stays');
  assert.equal(existsSync(path.join(base, 'escape')), false);
  assert.equal(existsSync(path.join(base, 'other')), false);
});

test('programs run from an argv array and report exit code and output', async () => {
  const result = await door.run('printf', ['%s|', 'a b', '$(id)', ';']);
  assert.equal(result.code, 0);
  assert.equal(result.stdout, 'a b|$(id)|;|');
});

test('binary output comes whole as base64, and output over its bound fails instead of being cut', async () => {
  const bytes = await door.run('printf', ['\\x89PNG\\x00\\xff'], { binaryStdout: { maxBytes: 100 } });
  assert.deepEqual([...Buffer.from(bytes.stdout, 'base64')], [0x89, 0x50, 0x4e, 0x47, 0x00, 0xff]);
  await assert.rejects(door.run('head', ['-c', '5000', '/dev/zero'], { binaryStdout: { maxBytes: 1000 } }), /more than 1000 bytes/);
});

test('a symlink planted inside a declared path cannot lead writes, chmod or chown outside it', async () => {
  const { mkdirSync, symlinkSync } = await import('node:fs');
  const outside = path.join(base, 'victim');
  mkdirSync(outside, { mode: 0o700 });
  mkdirSync(path.join(base, 'allowed'), { recursive: true });
  symlinkSync(outside, path.join(base, 'allowed/link'));
  await assert.rejects(door.ensureDirectory(path.join(base, 'allowed/link'), { mode: 0o777 }), PathNotDeclaredError);
  await assert.rejects(door.ensureDirectory(path.join(base, 'allowed/link/sub'), { mode: 0o777 }), PathNotDeclaredError);
  await assert.rejects(door.writeFileAtomic(path.join(base, 'allowed/link/file'), 'x', { mode: 0o666 }), PathNotDeclaredError);
  assert.equal(statSync(outside).mode & 0o777, 0o700, 'the target kept its mode');
  assert.deepEqual(readdirSync(outside), [], 'nothing was created behind the link');
});
