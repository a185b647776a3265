// Unit tests of what this node publishes: module records gated by a TCP probe on loopback listeners, manual records always.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { after, before, test } from 'node:test';

import type { ModulePublishing } from '../module-service.ts';
import type { ManualPublication } from './discovery-store.ts';
import { evaluatePublications } from './local-publications.ts';

let listener: net.Server;
let openPort = 0;
let closedPort = 0;

async function listen(host: string): Promise<net.Server> {
  const server = net.createServer((socket) => socket.destroy());
  server.listen(0, host);
  await once(server, 'listening');
  return server;
}

before(async () => {
  listener = await listen('127.0.0.1');
  openPort = (listener.address() as net.AddressInfo).port;
  const closed = await listen('127.0.0.1');
  closedPort = (closed.address() as net.AddressInfo).port;
  closed.close();
  await once(closed, 'close');
});
after(() => listener.close());

const running = (records: ModulePublishing['records'], module = 'syncthing'): ModulePublishing => ({ module, title: 'Syncthing', records, running: true, reason: '' });
const sources = (modules: ModulePublishing[], manual: ManualPublication[] = []) => ({ publishing: async () => modules, manualPublications: () => manual });

test('a module record is published only while its port accepts connections on the probe address', async () => {
  const { publications, published } = await evaluatePublications(
    sources([
      running([
        { type: '_syncthing._tcp', port: openPort, description: 'Sync  files\n', txt: { node_id: 'ABC' } },
        { type: 'webdav', port: closedPort, description: 'Files', txt: {} },
      ]),
    ]),
    '127.0.0.1',
  );
  assert.deepEqual(publications, [
    { type: 'syncthing', port: openPort, description: 'Sync files', txt: { node_id: 'ABC' }, origin: 'syncthing', published: true, reason: 'running and accepting connections' },
    { type: 'webdav', port: closedPort, description: 'Files', txt: {}, origin: 'syncthing', published: false, reason: `port ${closedPort} does not accept connections on 127.0.0.1` },
  ]);
  assert.deepEqual(published, [{ type: 'syncthing', protocol: 'tcp', port: openPort, description: 'Sync files', txt: { node_id: 'ABC' }, origin: 'syncthing' }]);
});

test('the probe goes to the community address, not just anywhere on the machine', async () => {
  // Listening on 127.0.0.1 only: a peer reaching this node at 127.0.0.2 would be refused.
  const { publications, published } = await evaluatePublications(sources([running([{ type: 'syncthing', port: openPort, description: 'Sync', txt: {} }])]), '127.0.0.2');
  assert.equal(publications[0]?.published, false);
  assert.match(publications[0]?.reason ?? '', /on 127\.0\.0\.2$/);
  assert.deepEqual(published, []);
});

test('a module that is not running is listed with its reason and publishes nothing', async () => {
  const stopped: ModulePublishing = { module: 'webdav', title: 'WebDAV', records: [{ type: 'webdav', port: openPort, description: 'Files', txt: {} }], running: false, reason: 'webdav is backoff' };
  const { publications, published } = await evaluatePublications(sources([stopped]), '127.0.0.1');
  assert.deepEqual(publications, [{ type: 'webdav', port: 0, description: 'WebDAV', txt: {}, origin: 'webdav', published: false, reason: 'webdav is backoff' }]);
  assert.deepEqual(published, []);
});

test('manual records are always published, after the modules’ ones', async () => {
  const manual: ManualPublication[] = [{ type: 'proxy3', port: closedPort, description: 'Proxy', txt: { a: '1' } }];
  const { publications, published } = await evaluatePublications(sources([running([{ type: 'syncthing', port: openPort, description: 'Sync', txt: {} }])], manual), '127.0.0.1');
  assert.deepEqual(publications.map((publication) => [publication.type, publication.origin, publication.published, publication.reason]), [
    ['syncthing', 'syncthing', true, 'running and accepting connections'],
    ['proxy3', 'manual', true, 'published by hand'],
  ]);
  assert.deepEqual(published.map((service) => service.origin), ['syncthing', 'manual']);
});

test('UDP types are published without a TCP probe', async () => {
  const { publications, published } = await evaluatePublications(sources([running([{ type: '_voip._udp', port: closedPort, description: 'Phone', txt: {} }])]), '127.0.0.1');
  assert.equal(publications[0]?.published, true);
  assert.deepEqual(published.map((service) => [service.type, service.protocol]), [['voip', 'udp']]);
});

test('invalid types and ports are dropped, from modules and by hand alike', async () => {
  const bad = [
    { type: 'Bad Type', port: openPort, description: 'x', txt: {} },
    { type: '../../etc', port: openPort, description: 'x', txt: {} },
    { type: 'ok', port: 0, description: 'x', txt: {} },
    { type: 'ok', port: 70000, description: 'x', txt: {} },
    { type: 'ok', port: 1.5, description: 'x', txt: {} },
  ];
  const { publications, published } = await evaluatePublications(sources([running(bad)], bad), '127.0.0.1');
  assert.deepEqual(publications, []);
  assert.deepEqual(published, []);
});

test('descriptions and TXT are cleaned; an empty description becomes the type', async () => {
  const manual: ManualPublication[] = [{ type: 'webdav', port: 80, description: '\u202e\u200b', txt: { 'bad key': 'x', ok: 'a\nb' } }];
  const { published } = await evaluatePublications(sources([], manual), '127.0.0.1');
  assert.deepEqual(published, [{ type: 'webdav', protocol: 'tcp', port: 80, description: 'webdav', txt: { ok: 'a b' }, origin: 'manual' }]);
});

test('a record whose publisher checked its daemon is published without a connection to its port', async () => {
  let connections = 0;
  const counting = net.createServer((socket) => {
    connections += 1;
    socket.destroy();
  });
  counting.listen(0, '127.0.0.1');
  await once(counting, 'listening');
  const port = (counting.address() as net.AddressInfo).port;
  const tinc: ModulePublishing = { ...running([{ type: '_tincvpn._tcp', port, description: 'tinc', txt: {} }], 'vpn-community'), servingChecked: true };
  const probed = running([{ type: 'webdav', port, description: 'Files', txt: {} }], 'webdav');
  const { publications } = await evaluatePublications(sources([tinc, probed]), '127.0.0.1');
  // The server may take the probe's connection after the probe saw it open: wait for it, then close.
  for (let waited = 0; connections === 0 && waited < 2000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
  await new Promise((resolve) => counting.close(resolve));
  assert.deepEqual(publications.map((publication) => [publication.origin, publication.published, publication.reason]), [
    ['vpn-community', true, 'running'],
    ['webdav', true, 'running and accepting connections'],
  ]);
  assert.equal(connections, 1, 'only the record without servingChecked was probed');
});
