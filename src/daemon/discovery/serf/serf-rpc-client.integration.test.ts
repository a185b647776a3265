// The Serf RPC client against two real `serf agent` processes on loopback: auth, members, tags, events, queries, coordinates, death.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { freeSerfPort, startSerfAgent, type SerfAgent } from '../../../../test/support/serf-agent.ts';
import { estimateRttSeconds, SerfRpcClient, SerfRpcError, type SerfStreamEvent } from './serf-rpc-client.ts';

const AUTH_KEY = 'integration-secret';
const skip = !existsSync('/usr/bin/serf') && 'needs the Debian serf package (/usr/bin/serf)';

const agents: SerfAgent[] = [];
const clients: SerfRpcClient[] = [];
let agentA: SerfAgent;
let agentB: SerfAgent;
let clientA: SerfRpcClient;
let clientB: SerfRpcClient;

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(50);
  }
}

async function connect(agent: SerfAgent, authKey?: string): Promise<SerfRpcClient> {
  const client = await SerfRpcClient.connect({ host: '127.0.0.1', port: agent.rpcPort, authKey });
  clients.push(client);
  return client;
}

async function distinctPorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freeSerfPort());
  return [...ports];
}

before(async () => {
  if (skip) return;
  const [bindA, bindB, rpcA, rpcB] = await distinctPorts(4);
  agentA = await startSerfAgent({ name: 'cloudy-a', bind: `127.0.0.1:${bindA}`, rpcPort: rpcA!, authKey: AUTH_KEY, tags: { role: 'a' } });
  agents.push(agentA);
  agentB = await startSerfAgent({ name: 'cloudy-b', bind: `127.0.0.1:${bindB}`, rpcPort: rpcB!, tags: { role: 'b' } });
  agents.push(agentB);
  clientA = await connect(agentA, AUTH_KEY);
  clientB = await connect(agentB);
});

after(async () => {
  for (const client of clients) client.close();
  await Promise.all(agents.map((agent) => agent.stop()));
});

test('handshake and auth: the right key works, a wrong or missing key fails clearly', { skip }, async () => {
  assert.equal((await clientA.stats()).agent?.name, 'cloudy-a');
  await assert.rejects(SerfRpcClient.connect({ host: '127.0.0.1', port: agentA.rpcPort, authKey: 'wrong' }),
    (error: Error) => error instanceof SerfRpcError && /refused "auth": Invalid authentication token\. Check that authKey matches rpc_auth/.test(error.message));
  const anonymous = await connect(agentA);
  await assert.rejects(anonymous.members(), (error: Error) => error instanceof SerfRpcError && /Authentication required\. The agent has rpc_auth set/.test(error.message));
  anonymous.close();
});

test('join, then both agents list both members alive on 127.0.0.1', { skip }, async () => {
  assert.equal(await clientB.join([`127.0.0.1:${agentA.bindPort}`]), 1);
  for (const client of [clientA, clientB]) {
    const members = await eventually('both members alive', async () => {
      const listed = await client.members();
      return listed.length === 2 && listed.every((member) => member.status === 'alive') ? listed : undefined;
    });
    const byName = new Map(members.map((member) => [member.name, member]));
    assert.deepEqual(byName.get('cloudy-a'), { name: 'cloudy-a', addr: '127.0.0.1', port: agentA.bindPort, tags: { role: 'a' }, status: 'alive', protocolCur: byName.get('cloudy-a')!.protocolCur });
    assert.equal(byName.get('cloudy-b')?.addr, '127.0.0.1');
    assert.equal(byName.get('cloudy-b')?.port, agentB.bindPort);
    assert.ok(byName.get('cloudy-b')!.protocolCur >= 2);
  }
});

test('tags set on A show up in B\'s member list; tags over 512 bytes are refused', { skip }, async () => {
  await clientA.setTags({ digest: 'v1' });
  await eventually('digest tag on B', async () => {
    const seen = (await clientB.members()).find((member) => member.name === 'cloudy-a');
    return seen?.tags.digest === 'v1' && seen.tags.role === 'a' ? true : undefined;
  });
  // A hostile peer's tag named __proto__ must not break B's connection (the msgpack decoder refuses that key).
  await clientA.setTags({ ['__proto__']: 'polluted', hostile: 'yes' }, ['digest']);
  await eventually('digest tag removed on B', async () => {
    const seen = (await clientB.members()).find((member) => member.name === 'cloudy-a');
    return seen?.tags.hostile === 'yes' && seen.tags.digest === undefined ? seen : undefined;
  });
  assert.deepEqual(Object.keys((await clientB.members()).find((member) => member.name === 'cloudy-a')!.tags).sort(), ['hostile', 'role']);
  await clientA.setTags({}, ['__proto__', 'hostile']);

  await assert.rejects(clientA.setTags({ services: 'x'.repeat(600) }), (error: Error) => error instanceof SerfRpcError
    && /refused "tags": Encoded length of tags exceeds limit of 512 bytes\./.test(error.message));
  const own = (await clientA.members()).find((member) => member.name === 'cloudy-a');
  assert.deepEqual(own?.tags, { role: 'a' }, 'a refused change leaves the tags as they were');
});

test('a user event fired on A arrives through a stream on B, filtered by name', { skip }, async () => {
  const received: SerfStreamEvent[] = [];
  const stream = await clientB.stream('user:cloudy', (event) => received.push(event));
  try {
    await clientA.userEvent('other', Buffer.from('not for us'), false);
    await clientA.userEvent('cloudy', Buffer.from('hello'), false);
    const event = await eventually('user event on B', async () => received.find((candidate) => candidate.event === 'user'));
    assert.equal(event.event, 'user');
    if (event.event !== 'user') return;
    assert.equal(event.name, 'cloudy');
    assert.deepEqual(event.payload, Buffer.from('hello'));
    assert.equal(event.coalesce, false);
    assert.ok(event.ltime > 0);
    await assert.rejects(clientA.userEvent('cloudy', Buffer.alloc(600)), /user event exceeds configured limit of 512 bytes/);
    await sleep(300);
    assert.equal(received.length, 1, 'only the event named cloudy');
  } finally {
    await stream.stop();
  }
  await assert.rejects(clientB.stream('no-such-event', () => undefined), /refused "stream": Invalid event filter/);
});

test('a query from A is answered by a responder on B; maxResponses ends it early', { skip }, async () => {
  const answered: number[] = [];
  const responder = await clientB.stream('query', (event) => {
    if (event.event !== 'query' || event.name !== 'cloudy-list') return;
    void clientB.respond(event.id, Buffer.concat([Buffer.from('list for '), event.payload])).then(async () => {
      answered.push(event.id);
      // A query takes one response per node.
      await assert.rejects(clientB.respond(event.id, Buffer.from('again')), /response already sent/);
    });
  });
  try {
    const timeoutMs = 4000;
    const started = Date.now();
    const early = await clientA.query({ name: 'cloudy-list', payload: Buffer.from('a'), filterNodes: ['cloudy-b'], timeoutMs, maxResponses: 1 });
    const elapsed = Date.now() - started;
    assert.deepEqual(early, [{ from: 'cloudy-b', payload: Buffer.from('list for a') }]);
    assert.ok(elapsed < timeoutMs / 2, `resolved after ${elapsed} ms`);

    // Without maxResponses the query lasts until the agent's `done` at its deadline.
    const full = await clientA.query({ name: 'cloudy-list', payload: Buffer.from('b'), filterTags: { role: 'b' }, timeoutMs: 1500 });
    assert.deepEqual(full, [{ from: 'cloudy-b', payload: Buffer.from('list for b') }]);
    assert.ok(Date.now() - started >= 1500);

    await assert.rejects(clientB.respond(999_999, Buffer.from('x')), /No pending queries matching ID/);
    await assert.rejects(clientA.query({ name: 'big', payload: Buffer.alloc(1100), timeoutMs: 1000 }), /query exceeds limit of 1024 bytes/);
    // The first query's late records (its `done` at the deadline) are skipped without confusing later replies.
    await sleep(Math.max(0, started + timeoutMs + 300 - Date.now()));
    assert.equal((await clientA.members()).length, 2);
    assert.equal(answered.length, 2);
  } finally {
    await responder.stop();
  }
});

test('coordinates: own after a moment, the peer once probed, null for an unknown node', { skip }, async () => {
  const own = await eventually('own coordinate', () => clientA.getCoordinate('cloudy-a').then((value) => value ?? undefined));
  assert.equal(own.vec.length, 8);
  const peer = await eventually('peer coordinate', () => clientA.getCoordinate('cloudy-b').then((value) => value ?? undefined), 15_000);
  const rtt = estimateRttSeconds(own, peer);
  assert.ok(rtt >= 0 && rtt < 1, `loopback RTT estimate ${rtt} s`);
  assert.equal(await clientA.getCoordinate('no-such-node'), null);
});

test('when the agent dies, onClose fires and calls fail promptly', { skip }, async () => {
  const closed = new Promise<Error | undefined>((resolve) => clientB.onClose(resolve));
  const queryFailed = assert.rejects(clientB.query({ name: 'never-answered', payload: Buffer.alloc(0), timeoutMs: 30_000 }), SerfRpcError);
  await sleep(100);
  const killedAt = Date.now();
  await agentB.stop('SIGKILL');
  assert.ok((await closed) instanceof SerfRpcError);
  await queryFailed;
  await assert.rejects(clientB.members(), SerfRpcError);
  assert.ok(Date.now() - killedAt < 2000, `failed after ${Date.now() - killedAt} ms`);
  await assert.rejects(SerfRpcClient.connect({ host: '127.0.0.1', port: agentB.rpcPort, timeoutMs: 1000 }), /Could not connect/);
});
