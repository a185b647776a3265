// apt's Status-Fd lines become one progress bar: downloads the first half, dpkg the second.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { parseAptStatusLine } from './apt-status.ts';

test('download and install phases map onto one 0–100 bar', () => {
  assert.deepEqual(parseAptStatusLine('dlstatus:1:20.5:Retrieving file 1 of 2'), { percent: 10.3, message: 'Retrieving file 1 of 2' });
  assert.deepEqual(parseAptStatusLine('pmstatus:syncthing:0:Preparing syncthing'), { percent: 50, message: 'Preparing syncthing' });
  assert.deepEqual(parseAptStatusLine('pmstatus:syncthing:100:Installed syncthing'), { percent: 100, message: 'Installed syncthing' });
  assert.deepEqual(parseAptStatusLine('pmstatus:dpkg-exec:83.3333:Running dpkg'), { percent: 91.7, message: 'Running dpkg' });
});

test('other lines are ignored', () => {
  assert.equal(parseAptStatusLine('media-change: insert disc'), null);
  assert.equal(parseAptStatusLine(''), null);
  assert.equal(parseAptStatusLine('pmerror:pkg:10:broken'), null);
});
