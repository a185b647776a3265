// Unit tests of the compact Cloudy Serf tags: what we write reads back, and malformed tags mark a member as not ours.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { CLOUDY_TAG, type CloudyTags, formatCloudyTags, parseCloudyTags } from './cloudy-tags.ts';

const tags: CloudyTags = { apiPort: 7443, digest: 'c1fc669753ba', count: 3, pin: 'ARKbDnIe2kCuyX4E', microcloud: 'guifi' };
const written = formatCloudyTags(tags);

test('formatCloudyTags writes the documented form, and it parses back to the same', () => {
  assert.deepEqual(written, { cy: '1 7443 c1fc669753ba 3', fp: 'ARKbDnIe2kCuyX4E', mc: 'guifi' });
  assert.deepEqual(parseCloudyTags(written), tags);
  const bare = { ...tags, microcloud: '', apiPort: 65535, count: 0, pin: 'a-b_c'.padEnd(16, 'Z') };
  assert.deepEqual(formatCloudyTags(bare), { cy: '1 65535 c1fc669753ba 0', fp: bare.pin });
  assert.deepEqual(parseCloudyTags(formatCloudyTags(bare)), bare);
  assert.deepEqual(parseCloudyTags({ ...written, services: 'QlpoOTFBWSZT', role: 'x' }), tags, 'other tags are ignored');
});

test('a malformed cy tag means "not a Cloudy node of our protocol"', () => {
  const malformed = [
    '1 0 c1fc669753ba 3', '1 70000 c1fc669753ba 3', '1 123456 c1fc669753ba 3', '1 -1 c1fc669753ba 3', '1 74.3 c1fc669753ba 3',
    '1 7443 c1fc669753b 3', '1 7443 c1fc669753bab 3', '1 7443 C1FC669753BA 3', '1 7443 g1fc669753ba 3',
    '1 7443 c1fc669753ba', '1 7443 c1fc669753ba 123456', '1 7443 c1fc669753ba -3',
    '1  7443 c1fc669753ba 3', ' 1 7443 c1fc669753ba 3', '1 7443 c1fc669753ba 3 ', '1\t7443 c1fc669753ba 3', '1 7443 c1fc669753ba 3\n',
    '2 7443 c1fc669753ba 3', '', '1 7443 c1fc669753ba 3 extra',
  ];
  for (const cy of malformed) assert.equal(parseCloudyTags({ ...written, [CLOUDY_TAG]: cy }), null, JSON.stringify(cy));
  const { cy: _cy, ...withoutCy } = written;
  assert.equal(parseCloudyTags(withoutCy), null);
});

test('the certificate pin must be 16 base64url characters', () => {
  for (const fp of ['ARKbDnIe2kCuyX4', 'ARKbDnIe2kCuyX4EE', 'ARKbDnIe2kCuyX4+', 'ARKbDnIe2kCuyX4/', 'ARKbDnIe2kCuyX4=', 'ARKbDnIe2kCuyX4 ', '']) {
    assert.equal(parseCloudyTags({ ...written, fp }), null, JSON.stringify(fp));
  }
  const { fp: _fp, ...withoutPin } = written;
  assert.equal(parseCloudyTags(withoutPin), null);
});

test('a bad microcloud is dropped, not the member', () => {
  assert.equal(parseCloudyTags({ ...written, mc: 'Bad Cloud!' })?.microcloud, '');
  assert.equal(parseCloudyTags({ ...written, mc: 'SANTS' })?.microcloud, 'sants');
});
