// The Serf tag size model (checked against the lab's measured limits) and fitting legacy services into it.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { decodeLegacyServicesTag, encodeLegacyServicesTag, type LegacyService } from './legacy-services-tag.ts';
import { encodedTagsSize, fitLegacyServices, SERF_TAGS_LIMIT } from './serf-tag-budget.ts';

const otherTags = { cy: '1 7443 abcdef012345 50', mc: 'guifi', fp: '0123456789abcdefghijkl' };
const types = ['tahoe-lafs', 'proxy3', 'peerstreamer', 'ssh', 'http', 'webdav', 'ipfs', 'jellyfin', 'nextcloud', 'etherpad'];

/** A plausible node's list: one Syncthing with its device ID, then assorted services without TXT. */
function realisticServices(count: number, seed = 1): LegacyService[] {
  return Array.from({ length: count }, (_, index) => {
    const type = index === 0 ? 'syncthing' : (types[(index * seed) % types.length] ?? 'http');
    const txt = index === 0 ? 'node_id=MFZWI3D-BONSGYC-YLTMRWG-C43ENR5-QXGZDMM-FZWI3DP-BONSGYY-LTMRWAD' : '';
    return { s: type, d: `${type}_on_h${seed}`, m: `h${seed}.guifi.local`, i: `10.1.${seed}.3`, p: String(8000 + index * seed), e: 'eth0', t: txt };
  });
}

const fits = (services: LegacyService[], tags: Record<string, string>) =>
  encodedTagsSize({ ...tags, services: encodeLegacyServicesTag(services) }) <= SERF_TAGS_LIMIT;

test('matches the measured limits: a lone 498-byte services value is 512 bytes, 490 with role=h1 beside it', () => {
  assert.equal(encodedTagsSize({}), 2);
  assert.equal(encodedTagsSize({ services: 'x'.repeat(498) }), 512);
  assert.equal(encodedTagsSize({ services: 'x'.repeat(499) }), 513);
  assert.equal(encodedTagsSize({ role: 'h1', services: 'x'.repeat(490) }), 512);
  assert.equal(encodedTagsSize({ role: 'h1', services: 'x'.repeat(491) }), 513);
});

test('uses old-spec msgpack headers: fixraw up to 31 bytes, raw16, raw32; fixmap up to 15 entries, then map16', () => {
  assert.equal(encodedTagsSize({ k: 'x'.repeat(31) }), 1 + 1 + 2 + 1 + 31);
  assert.equal(encodedTagsSize({ k: 'x'.repeat(32) }), 1 + 1 + 2 + 3 + 32);
  assert.equal(encodedTagsSize({ k: 'x'.repeat(65_536) }), 1 + 1 + 2 + 5 + 65_536);
  const fifteen = Object.fromEntries(Array.from({ length: 15 }, (_, index) => [`k${index}`, '']));
  assert.equal(encodedTagsSize({ ...fifteen, k15: '' }), encodedTagsSize(fifteen) + 2 + 4 + 1);
  assert.equal(encodedTagsSize({ d: 'Càmera' }), 1 + 1 + 2 + 1 + 7, 'counts UTF-8 bytes, not characters');
});

test('fits the largest prefix it can: the result fits and one more service does not', () => {
  for (const seed of [1, 3, 7]) {
    const services = realisticServices(60, seed);
    const fit = fitLegacyServices(services, otherTags);
    assert.equal(fit.total, 60);
    assert.ok(fit.included >= 2 && fit.included < 60, `seed ${seed}: ${fit.included} services`);
    assert.ok(fit.value !== null && encodedTagsSize({ ...otherTags, services: fit.value }) <= SERF_TAGS_LIMIT);
    assert.deepEqual(decodeLegacyServicesTag(fit.value), services.slice(0, fit.included));
    assert.equal(fits(services.slice(0, fit.included + 1), otherTags), false);
  }
});

test('a roomier limit takes every service when they all fit', () => {
  const services = realisticServices(10);
  const fit = fitLegacyServices(services, otherTags, 4096);
  assert.equal(fit.included, 10);
  assert.deepEqual(decodeLegacyServicesTag(fit.value ?? ''), services);
});

test('gives no services tag when nothing is listed, nothing fits, or the other tags alone are too big', () => {
  assert.deepEqual(fitLegacyServices([], otherTags), { value: null, included: 0, total: 0 });
  const [first] = realisticServices(1);
  assert.ok(first);
  const wordy = { ...first, d: Array.from({ length: 300 }, (_, index) => `word${index * 7919}`).join('_') };
  assert.deepEqual(fitLegacyServices([wordy, first], otherTags), { value: null, included: 0, total: 2 });
  assert.deepEqual(fitLegacyServices([first], { big: 'x'.repeat(500) }), { value: null, included: 0, total: 1 });
});

test('stays fast on a long list, because it never compresses the whole list', () => {
  const services = realisticServices(5000);
  const started = performance.now();
  const fit = fitLegacyServices(services, otherTags);
  assert.ok(fit.included > 0);
  assert.ok(performance.now() - started < 2000, `took ${Math.round(performance.now() - started)} ms`);
});
