// Unit tests of the Serf RPC client: RTT estimate, address and body parsing, decoder limits, and Seq routing against a fake agent.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { test } from 'node:test';

import { decode, decodeMultiStream, encode } from '@msgpack/msgpack';

import { estimateRttSeconds, SerfRpcClient, SerfRpcError, type SerfCoordinate } from './serf-rpc-client.ts';
import {
  formatIpAddress, parseCoordinate, parseMembers, parseResponseHeader, parseStats, parseStreamEvent, parseTags, SERF_DECODER_OPTIONS,
} from './serf-rpc-codec.ts';

const coordinate = (vec: number[], height: number, adjustment = 0): SerfCoordinate => ({ vec: [...vec, 0, 0, 0, 0, 0, 0], error: 0.5, adjustment, height });
const near = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) < 1e-12, `${actual} != ${expected}`);

test('estimateRttSeconds: distance of the vectors plus both heights', () => {
  // 3-4-5 triangle in milliseconds: 5 ms apart, heights 0.1 ms and 0.2 ms.
  near(estimateRttSeconds(coordinate([0.003, 0], 0.0001), coordinate([0, 0.004], 0.0002)), 0.0053);
  near(estimateRttSeconds(coordinate([0.001, 0.001], 0.00001), coordinate([0.001, 0.001], 0.00001)), 0.00002);
});

test('estimateRttSeconds: adjustments count only while the adjusted sum stays positive', () => {
  near(estimateRttSeconds(coordinate([0.003, 0], 0.0001, 0.001), coordinate([0, 0.004], 0.0002, -0.0005)), 0.0058);
  near(estimateRttSeconds(coordinate([0.003, 0], 0.0001, -0.01), coordinate([0, 0.004], 0.0002)), 0.0053);
});

test('estimateRttSeconds refuses coordinates of different dimensionality', () => {
  assert.throws(() => estimateRttSeconds({ vec: [0, 0], error: 0, adjustment: 0, height: 0 }, coordinate([0, 0], 0)), RangeError);
});

test('formatIpAddress: IPv4, IPv4-mapped IPv6 and RFC 5952 IPv6 text', () => {
  const v6 = (...groups: number[]) => Uint8Array.from(groups.flatMap((group) => [group >> 8, group & 0xff]));
  assert.equal(formatIpAddress(Uint8Array.of(127, 0, 0, 1)), '127.0.0.1');
  assert.equal(formatIpAddress(Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 1, 2, 3)), '10.1.2.3');
  assert.equal(formatIpAddress(v6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1)), '2001:db8::1');
  assert.equal(formatIpAddress(v6(0, 0, 0, 0, 0, 0, 0, 1)), '::1');
  assert.equal(formatIpAddress(v6(0, 0, 0, 0, 0, 0, 0, 0)), '::');
  assert.equal(formatIpAddress(v6(0xfe80, 0, 0, 0, 0x1c2, 0x3ff, 0xfe04, 0x506)), 'fe80::1c2:3ff:fe04:506');
  assert.equal(formatIpAddress(v6(0x2001, 0xdb8, 0, 1, 1, 1, 1, 1)), '2001:db8:0:1:1:1:1:1', 'a single zero group stays');
  assert.equal(formatIpAddress(v6(0x2001, 0, 0, 1, 0, 0, 0, 1)), '2001:0:0:1::1', 'the longest zero run is shortened');
  assert.equal(formatIpAddress(v6(0x2001, 0xdb8, 0, 0, 1, 0, 0, 1)), '2001:db8::1:0:0:1', 'the first of equal runs is shortened');
  assert.equal(formatIpAddress(Uint8Array.of(1, 2, 3, 4, 5)), undefined);
});

test('members: tags keep string values only, members without a name or address are skipped', () => {
  const members = parseMembers([
    { Name: 'a', Addr: Uint8Array.of(10, 0, 0, 1), Port: 7946, Tags: { role: 'web', n: 5, nested: { x: '1' } }, Status: 'alive', ProtocolCur: 2 },
    { Name: 'no-address', Port: 7946 },
    { Addr: Uint8Array.of(10, 0, 0, 2) },
    'not a member',
  ]);
  assert.deepEqual(members, [{ name: 'a', addr: '10.0.0.1', port: 7946, tags: { role: 'web' }, status: 'alive', protocolCur: 2 }]);
  assert.deepEqual(parseMembers(null), []);
});

test('a peer tag named __proto__ neither fails decoding nor reaches the tags', () => {
  const wire = encode({ Tags: { ['__proto__']: 'polluted', role: 'x' } });
  const decoded = decode(wire, SERF_DECODER_OPTIONS) as { Tags: unknown };
  const tags = parseTags(decoded.Tags);
  assert.deepEqual(Object.keys(tags), ['role']);
  assert.equal(Object.getPrototypeOf(tags), Object.prototype);
});

test('the decoder refuses oversized strings, binaries and arrays from peers', () => {
  assert.throws(() => decode(encode({ Name: 'x'.repeat(70_000) }), SERF_DECODER_OPTIONS), /maxStrLength/);
  assert.throws(() => decode(encode({ Payload: new Uint8Array(70_000) }), SERF_DECODER_OPTIONS), /maxBinLength/);
  assert.throws(() => decode(encode(new Array(100_001).fill(0)), SERF_DECODER_OPTIONS), /maxArrayLength/);
});

test('response headers are told apart from bodies by shape', () => {
  assert.deepEqual(parseResponseHeader({ Seq: 3, Error: '' }), { seq: 3, error: '' });
  assert.equal(parseResponseHeader({ Seq: 3, Error: '', Members: [] }), undefined);
  assert.equal(parseResponseHeader({ Type: 'done', From: '', Payload: null }), undefined);
});

test('stream records: member, user and query events; other kinds are ignored', () => {
  const member = { Name: 'b', Addr: Uint8Array.of(10, 0, 0, 2), Port: 1, Tags: {}, Status: 'failed', ProtocolCur: 2 };
  assert.deepEqual(parseStreamEvent({ Event: 'member-failed', Members: [member] }),
    { event: 'member-failed', members: [{ name: 'b', addr: '10.0.0.2', port: 1, tags: {}, status: 'failed', protocolCur: 2 }] });
  assert.deepEqual(parseStreamEvent({ Event: 'user', LTime: 4, Name: 'cloudy', Payload: Uint8Array.of(104, 105), Coalesce: true }),
    { event: 'user', name: 'cloudy', payload: Buffer.from('hi'), ltime: 4, coalesce: true });
  assert.deepEqual(parseStreamEvent({ Event: 'query', ID: 7, LTime: 9, Name: 'list', Payload: null }),
    { event: 'query', id: 7, name: 'list', payload: Buffer.alloc(0), ltime: 9 });
  assert.equal(parseStreamEvent({ Event: 'query', Name: 'list' }), undefined, 'a query without an ID cannot be answered');
  assert.equal(parseStreamEvent({ Event: 'something-new' }), undefined);
});

test('coordinates and stats are validated', () => {
  assert.deepEqual(parseCoordinate({ Vec: [0, 1], Error: 1.5, Adjustment: 0, Height: 1e-5 }), { vec: [0, 1], error: 1.5, adjustment: 0, height: 1e-5 });
  assert.equal(parseCoordinate({ Vec: null, Error: 0, Adjustment: 0, Height: 0 }), undefined);
  assert.equal(parseCoordinate({ Vec: [Number.NaN], Error: 0, Adjustment: 0, Height: 0 }), undefined);
  assert.deepEqual(parseStats({ agent: { name: 'a' }, runtime: { goroutines: '22', bad: 1 }, odd: 5 }), { agent: { name: 'a' }, runtime: { goroutines: '22' } });
});

/** A fake agent: `reply` gets each request header and body and answers with raw msgpack objects. */
async function fakeAgent(reply: (socket: net.Socket, command: string, seq: number, body: unknown) => void) {
  const sockets = new Set<net.Socket>();
  const server = net.createServer(async (socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    const bodyless = new Set(['members', 'stats']);
    let header: { Command: string; Seq: number } | undefined;
    try {
      for await (const message of decodeMultiStream(socket)) {
        if (!header) {
          header = message as { Command: string; Seq: number };
          if (!bodyless.has(header.Command)) continue;
        }
        const { Command, Seq } = header;
        header = undefined;
        if (Command === 'handshake') socket.write(encode({ Seq, Error: '' }));
        else reply(socket, Command, Seq, bodyless.has(Command) ? undefined : message);
      }
    } catch { /* client went away */ }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    dropConnections: () => { for (const socket of sockets) socket.destroy(); },
    close: () => { for (const socket of sockets) socket.destroy(); server.close(); },
  };
}

const send = (socket: net.Socket, ...objects: unknown[]) => socket.write(Buffer.concat(objects.map((object) => encode(object))));
const memberBody = (name: string) => ({ Members: [{ Name: name, Addr: Uint8Array.of(127, 0, 0, 1), Port: 1, Tags: {}, Status: 'alive', ProtocolCur: 2 }] });

test('concurrent calls are matched by Seq even when answered out of order', async () => {
  const held: Array<() => void> = [];
  const agent = await fakeAgent((socket, command, seq, body) => {
    if (command === 'get-coordinate') held.push(() => send(socket, { Seq: seq, Error: '' }, { Coord: { Vec: null, Error: 0, Adjustment: 0, Height: 0 }, Ok: false }));
    if (command === 'tags') held.push(() => send(socket, { Seq: seq, Error: (body as { Tags: { k: string } }).Tags.k === 'bad' ? 'Encoded length of tags exceeds limit of 512 bytes' : '' }));
    if (command === 'members') {
      send(socket, { Seq: seq, Error: '' }, memberBody('first'));
      for (const answer of held.splice(0).reverse()) answer();
    }
  });
  const client = await SerfRpcClient.connect({ host: '127.0.0.1', port: agent.port });
  try {
    const coordinateCall = client.getCoordinate('ghost');
    const tagsCall = client.setTags({ k: 'bad' });
    const membersCall = client.members();
    assert.equal((await membersCall)[0]?.name, 'first');
    await assert.rejects(tagsCall, (error: SerfRpcError) => error instanceof SerfRpcError && /refused "tags": Encoded length of tags exceeds limit of 512 bytes\. /.test(error.message));
    assert.equal(await coordinateCall, null);
  } finally { client.close(); agent.close(); }
});

test('a call times out, and its late reply does not confuse the next one', async () => {
  let first = true;
  const agent = await fakeAgent((socket, command, seq) => {
    if (command !== 'members') return;
    if (first) { first = false; setTimeout(() => send(socket, { Seq: seq, Error: '' }, memberBody('late')), 300); return; }
    send(socket, { Seq: seq, Error: '' }, memberBody('second'));
  });
  const client = await SerfRpcClient.connect({ host: '127.0.0.1', port: agent.port, timeoutMs: 150 });
  try {
    await assert.rejects(client.members(), /did not answer "members" within 150 ms/);
    await new Promise((resolve) => setTimeout(resolve, 250));
    assert.equal((await client.members())[0]?.name, 'second');
  } finally { client.close(); agent.close(); }
});

test('error replies: a bare header where a body usually follows, and join\'s body that follows even its errors', async () => {
  const agent = await fakeAgent((socket, command, seq) => {
    if (command === 'members') send(socket, { Seq: seq, Error: 'Authentication required' });
    if (command === 'join') send(socket, { Seq: seq, Error: '1 error occurred:\n\t* Failed to join 10.0.0.9: i/o timeout\n\n' }, { Num: 0 });
    if (command === 'stats') send(socket, { Seq: seq, Error: '' }, { agent: { name: 'fake' } });
  });
  const client = await SerfRpcClient.connect({ host: '127.0.0.1', port: agent.port });
  try {
    await assert.rejects(client.members(), /refused "members": Authentication required\. The agent has rpc_auth set/);
    await assert.rejects(client.join(['10.0.0.9:7946']), (error: SerfRpcError) =>
      error.message === 'The Serf agent refused "join": 1 error occurred: * Failed to join 10.0.0.9: i/o timeout.' && error.agentError?.startsWith('1 error') === true);
    assert.deepEqual(await client.stats(), { agent: { name: 'fake' } });
  } finally { client.close(); agent.close(); }
});

test('stream records are routed by Seq between replies, and records arriving after stop are skipped', async () => {
  let streamSeq = -1;
  const userRecord = (name: string) => ({ Event: 'user', LTime: 1, Name: name, Payload: Buffer.from(name), Coalesce: false });
  const agent = await fakeAgent((socket, command, seq) => {
    if (command === 'stream') {
      streamSeq = seq;
      send(socket, { Seq: seq, Error: '' }, { Seq: seq, Error: '' }, userRecord('one'));
    }
    if (command === 'members') send(socket, { Seq: streamSeq, Error: '' }, userRecord('two'), { Seq: seq, Error: '' }, memberBody('m'));
    // The agent may still flush queued records after acknowledging `stop` (ipc_event_stream.go drains its channel).
    if (command === 'stop') send(socket, { Seq: seq, Error: '' }, { Seq: streamSeq, Error: '' }, userRecord('late'));
  });
  const client = await SerfRpcClient.connect({ host: '127.0.0.1', port: agent.port });
  try {
    const names: string[] = [];
    const stream = await client.stream('user', (event) => { if (event.event === 'user') names.push(event.name); });
    assert.equal((await client.members())[0]?.name, 'm');
    await stream.stop();
    assert.equal((await client.members())[0]?.name, 'm');
    assert.deepEqual(names, ['one', 'two']);
  } finally { client.close(); agent.close(); }
});

test('when the connection drops, pending calls fail and onClose gets the error', async () => {
  const agent = await fakeAgent(() => undefined);
  const client = await SerfRpcClient.connect({ host: '127.0.0.1', port: agent.port });
  try {
    const closed = new Promise<Error | undefined>((resolve) => client.onClose(resolve));
    const pending = client.members();
    agent.dropConnections();
    await assert.rejects(pending, (error: Error) => error instanceof SerfRpcError && /closed the RPC connection|connection failed/.test(error.message));
    assert.ok((await closed) instanceof SerfRpcError);
    await assert.rejects(client.stats(), SerfRpcError);
  } finally { client.close(); agent.close(); }
});

test('connecting to a closed port fails with a clear SerfRpcError', async () => {
  const agent = await fakeAgent(() => undefined);
  agent.close();
  await assert.rejects(SerfRpcClient.connect({ host: '127.0.0.1', port: agent.port }),
    (error: Error) => error instanceof SerfRpcError && /Could not connect to the Serf agent's RPC address 127\.0\.0\.1:\d+/.test(error.message));
});
