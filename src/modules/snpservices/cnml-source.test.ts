// The CNML read by URL and parsed on a worker thread: the devices come back, a hostile or huge file fails with a reason
// and takes only the worker down, and a stop ends the worker. Also the production build's worker file.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Worker } from 'node:worker_threads';

import { CnmlSource, parseCnmlInWorker } from './cnml-source.ts';
import type { CnmlWorkerReply } from './cnml-worker.ts';

const osona = readFileSync(new URL('./fixtures/cnml-osona.xml', import.meta.url));
const bytes = (text: Buffer | string) => new Uint8Array(Buffer.from(text));

/** A CNML of `count` working devices in one zone, each with its own address. */
function bigCnml(count: number): string {
  const devices = Array.from({ length: count }, (_, index) => {
    const address = `10.${(index >> 16) & 255}.${(index >> 8) & 255}.${(index & 255) + 1}`;
    return `<node id="${index + 1}" title="n${index}" status="Working"><device id="${index + 100_000}" title="d${index}" status="Working" type="radio"><interface id="${index}" ipv4="${address}" mask="255.255.255.0" interface_type="wLan/Lan"/></device></node>`;
  });
  return `<?xml version="1.0"?><cnml version="0.1"><network><zone id="1" title="z" graph_server="7">${devices.join('')}</zone></network></cnml>`;
}

let server: http.Server;
let base: string;
before(async () => {
  server = http.createServer((request, response) => {
    if (request.url === '/osona.cnml') response.end(osona);
    else if (request.url === '/broken.cnml') response.end('<cnml><network><zone id="1"');
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

test('the devices of a CNML read by URL, filtered by graph server', async () => {
  const source = new CnmlSource();
  await source.refresh(`${base}/osona.cnml`, '');
  assert.equal(source.current.error, null);
  assert.equal(source.current.devices.length, 7);
  await source.refresh(`${base}/osona.cnml`, '7831');
  assert.deepEqual(source.current.devices.map((device) => device.id), ['26081', '26082', '27102', '28001']);
});

test('a broken file or a missing one gives a reason and no devices', async () => {
  const broken = new CnmlSource();
  await broken.refresh(`${base}/broken.cnml`, '');
  assert.match(broken.current.error ?? '', /not valid XML|no <cnml> element/);
  assert.deepEqual(broken.current.devices, []);
  const missing = new CnmlSource();
  await missing.refresh(`${base}/nothing.cnml`, '');
  assert.equal(missing.current.error, 'the server answered 404');
});

test('a file too big for the worker’s heap fails in the worker, with a reason', async () => {
  await assert.rejects(parseCnmlInWorker(bytes(bigCnml(40_000)), {}, { heapMb: 16 }), /needs more than 16 MB to read: export a smaller zone/);
  // The same file within the default heap: read, then refused for its number of devices.
  await assert.rejects(parseCnmlInWorker(bytes(bigCnml(6_000)), {}), /5000/);
});

test('a stop while the worker parses ends it', async () => {
  const controller = new AbortController();
  const parsing = parseCnmlInWorker(bytes(bigCnml(4_000)), {}, { signal: controller.signal });
  controller.abort();
  await assert.rejects(parsing, /stopped/);
  await assert.rejects(parseCnmlInWorker(bytes(osona), {}, { signal: controller.signal }), /stopped/, 'a stop before it starts');
});

test('a view into a bigger buffer is read, and the buffer stays usable', async () => {
  const pool = Buffer.concat([Buffer.from('x'.repeat(100)), osona]);
  const view = new Uint8Array(pool.buffer, pool.byteOffset + 100, osona.byteLength);
  assert.equal((await parseCnmlInWorker(view, {})).length, 7);
  assert.equal(pool.subarray(0, 3).toString(), 'xxx');
});

const builtWorker = path.resolve(import.meta.dirname, '../../../dist/node/cnml-worker.js');
test('the production build’s worker file reads a CNML', { skip: !existsSync(builtWorker) && 'no production build (npm run build)' }, async () => {
  const worker = new Worker(builtWorker, { workerData: { bytes: bytes(osona), options: { graphServerId: '9000' } } });
  const reply = await new Promise<CnmlWorkerReply>((resolve, reject) => worker.once('message', resolve).once('error', reject));
  assert.ok('devices' in reply, JSON.stringify(reply));
  assert.deepEqual(reply.devices.map((device) => device.id), ['27002', '28011']);
  await worker.terminate();
});
