import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

import { letDaemonsReachRoot } from './root-traversal.ts';

test('a root below private directories becomes reachable: o+x added where missing, nothing else changed', () => {
  const top = mkdtempSync(path.join(os.tmpdir(), 'traversal-'));
  try {
    const middle = path.join(top, 'private');
    const root = path.join(middle, 'root');
    mkdirSync(root, { recursive: true });
    chmodSync(top, 0o700);
    chmodSync(middle, 0o750);
    chmodSync(root, 0o755);
    assert.deepEqual(letDaemonsReachRoot(root), [middle, top]);
    assert.equal(statSync(top).mode & 0o777, 0o701, 'others may pass, not list');
    assert.equal(statSync(middle).mode & 0o777, 0o751);
    assert.equal(statSync(root).mode & 0o777, 0o755);
    assert.deepEqual(letDaemonsReachRoot(root), [], 'nothing left to change');
  } finally {
    rmSync(top, { recursive: true, force: true });
  }
});
