// Unit tests of the service list cut into Serf query pages: each page fits Serf's 1 KB, the pages rebuild the list, bad pages are refused.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { deflateRawSync } from 'node:zlib';

import { PEER_PROTOCOL, type PeerDocument, type PeerService } from '../peer-document.ts';
import { cutPages, fetchPages, MAX_PAGES, readPage } from './record-pages.ts';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
/** 63 characters like a Syncthing device ID: random, so it barely compresses. */
const deviceId = () => [...randomBytes(56)].map((byte) => BASE32[byte % 32]).join('').replace(/(.{7})(?=.)/g, '$1-');

function peerDocument(count: number): PeerDocument {
  const services: PeerService[] = Array.from({ length: count }, (_, index) => ({
    type: index % 3 === 0 ? 'syncthing' : `service-${index % 17}`,
    description: `Syncthing at node ${index} of the Ateneu`,
    port: 20_000 + index,
    txt: { node_id: deviceId(), v: '1' },
  }));
  return { protocol: PEER_PROTOCOL, nodeId: 'ux5zvta2xz', node: 'h1', microcloud: 'guifi', digest: 'c1fc669753ba', coordinate: { vec: [0.001, 0, 0, 0, 0, 0, 0, 0], error: 1.5, adjustment: 0, height: 1e-5 }, services };
}

/** Serves pages as a member answering `cloudy-records` queries would, recording which pages were asked. */
function pageServer(pages: Array<Buffer | null>) {
  const asked: number[] = [];
  return { asked, askPage: async (page: number) => (asked.push(page), pages[page] ?? null) };
}

for (const count of [1, 50, 256]) {
  test(`a ${count}-service list: every page ≤ 900 bytes, and the pages rebuild it exactly`, async () => {
    const document = peerDocument(count);
    const pages = cutPages(document);
    assert.ok(pages.length >= 1 && pages.length <= MAX_PAGES, `${pages.length} pages`);
    for (const page of pages) assert.ok(page.length <= 900, `a page of ${page.length} bytes`);
    const { asked, askPage } = pageServer(pages);
    assert.deepEqual(await fetchPages(askPage), document);
    assert.deepEqual(asked, pages.map((_, index) => index));
  });
}

test('an empty list is one page with the header', async () => {
  const document = peerDocument(0);
  const pages = cutPages(document);
  assert.equal(pages.length, 1);
  assert.deepEqual(await fetchPages(pageServer(pages).askPage), document);
});

test('a missing page, a page out of place or from another list fails the whole fetch', async () => {
  const pages = cutPages(peerDocument(50));
  assert.ok(pages.length >= 3, 'the test needs several pages');
  const other = cutPages({ ...peerDocument(50), digest: '000000000000' });
  await assert.rejects(fetchPages(pageServer([null]).askPage), /did not answer the records query/);
  await assert.rejects(fetchPages(pageServer([pages[0]!, pages[1]!, null]).askPage), /page 2 of its records is missing or from another list/);
  await assert.rejects(fetchPages(pageServer([pages[0]!, other[1]!, ...pages.slice(2)]).askPage), /page 1 .* from another list/);
  await assert.rejects(fetchPages(pageServer([pages[0]!, pages[2]!, pages[1]!]).askPage), /page 1 /);
  await assert.rejects(fetchPages(pageServer([pages[1]!, ...pages.slice(1)]).askPage), /did not answer/, 'page 1 carries no header');
});

test('readPage refuses garbage and pages of impossible shape', () => {
  const pack = (value: unknown) => deflateRawSync(Buffer.from(JSON.stringify(value)));
  for (const payload of [
    Buffer.alloc(0), randomBytes(300), Buffer.from('{"p":0,"n":1,"d":"x","s":[]}'), deflateRawSync(Buffer.from('not json')), pack(null), pack([]),
    pack({ p: 0, n: 0, d: 'x', s: [] }), pack({ p: 1, n: 1, d: 'x', s: [] }), pack({ p: -1, n: 2, d: 'x', s: [] }), pack({ p: 0, n: MAX_PAGES + 1, d: 'x', s: [] }),
    pack({ p: 0.5, n: 2, d: 'x', s: [] }), pack({ p: '0', n: 2, d: 'x', s: [] }), pack({ p: 0, n: 2, d: 'x', s: 'services' }), pack({ p: 0, n: 2, d: 'x' }),
  ]) {
    assert.equal(readPage(payload), null, payload.toString('hex').slice(0, 40));
  }
  assert.deepEqual(readPage(pack({ p: 1, n: 2, d: 'x', s: [] })), { p: 1, n: 2, d: 'x', s: [] });
});

test('a deflate bomb (10 MB of zeros in a few KB) is refused without inflating it', async () => {
  const bomb = deflateRawSync(Buffer.alloc(10 * 1024 * 1024));
  assert.ok(bomb.length < 20_000, `${bomb.length} bytes compressed`);
  const before = process.memoryUsage().arrayBuffers;
  const started = performance.now();
  assert.equal(readPage(bomb), null);
  await assert.rejects(fetchPages(async () => bomb), /did not answer/);
  assert.ok(performance.now() - started < 500, 'refused quickly');
  assert.ok(process.memoryUsage().arrayBuffers - before < 4 * 1024 * 1024, 'no 10 MB buffer was made');
});
