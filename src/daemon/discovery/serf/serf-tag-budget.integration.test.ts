// Proves the tag size model against a real Serf agent: `serf tags -set` succeeds exactly when encodedTagsSize ≤ 512.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { decodeLegacyServicesTag, type LegacyService } from './legacy-services-tag.ts';
import { encodedTagsSize, fitLegacyServices, SERF_TAGS_LIMIT } from './serf-tag-budget.ts';

const LIMIT_ERROR = `Encoded length of tags exceeds limit of ${SERF_TAGS_LIMIT} bytes`;
const otherTags = { cy: '1 7443 abcdef012345 50', mc: 'guifi', fp: '0123456789abcdefghijkl' };
const types = ['syncthing', 'tahoe-lafs', 'proxy3', 'peerstreamer', 'ssh', 'http', 'webdav', 'ipfs', 'jellyfin', 'nextcloud', 'etherpad'];

function realisticServices(count: number): LegacyService[] {
  return Array.from({ length: count }, (_, index) => {
    const type = types[index % types.length] ?? 'http';
    const txt = type === 'syncthing' ? `node_id=MFZWI3D-BONSGYC-YLTMRWG-C43ENR5-QXGZDMM-FZWI3DP-BONSGY${index % 10}-LTMRWAD` : '';
    return { s: type, d: `${type}_service_${index}`, m: 'h1.guifi.local', i: '10.1.2.3', p: String(8000 + index), e: 'eth0', t: txt };
  });
}

async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

/** `tags` with the tag `key` set to a filler whose length makes the whole map encode to exactly `size` bytes. */
function paddedTo(size: number, tags: Record<string, string>, key: string): Record<string, string> {
  for (let length = 0; length < SERF_TAGS_LIMIT; length++) {
    const padded = { ...tags, [key]: 'p'.repeat(length) };
    if (encodedTagsSize(padded) === size) return padded;
  }
  throw new Error(`no filler in ${key} makes ${JSON.stringify(tags)} encode to ${size} bytes`);
}

class SerfAgent {
  private readonly process: ChildProcess;
  private output = '';
  private tags: Record<string, string> = {};

  constructor(bindPort: number, private readonly rpcAddress: string) {
    this.process = spawn('serf', ['agent', '-node=t1', `-bind=127.0.0.1:${bindPort}`, `-rpc-addr=${rpcAddress}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.process.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.process.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
  }

  cli(args: string[]): { ok: boolean; output: string } {
    const result = spawnSync('serf', [...args, `-rpc-addr=${this.rpcAddress}`], { encoding: 'utf8', timeout: 10_000 });
    return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
  }

  async waitForRpc(): Promise<void> {
    const deadline = Date.now() + 15_000;
    while (!this.cli(['members']).ok) {
      assert.ok(Date.now() < deadline, `serf agent did not answer RPC in 15 s:\n${this.output}`);
      await sleep(100);
    }
  }

  /** Replaces the agent's tags with exactly `tags`: the agent merges `-set` into its tags and then applies `-delete`. */
  replaceTags(tags: Record<string, string>): { ok: boolean; output: string } {
    const stale = Object.keys(this.tags).filter((key) => !(key in tags));
    const result = this.cli(['tags', ...Object.entries(tags).map(([key, value]) => `-set=${key}=${value}`), ...stale.map((key) => `-delete=${key}`)]);
    if (result.ok) this.tags = tags;
    return result;
  }

  reportedTags(): Record<string, string> {
    const { members } = JSON.parse(this.cli(['members', '-format=json']).output) as { members: { name: string; tags: Record<string, string> }[] };
    return members.find((member) => member.name === 't1')?.tags ?? {};
  }

  async stop(): Promise<void> {
    if (this.process.exitCode !== null || this.process.pid === undefined) return;
    const exited = once(this.process, 'exit');
    process.kill(this.process.pid, 'SIGTERM');
    const stopped = await Promise.race([exited.then(() => true), sleep(5000, false, { ref: false })]);
    if (!stopped) {
      process.kill(this.process.pid, 'SIGKILL');
      await exited;
    }
  }
}

function assertAgentAgrees(agent: SerfAgent, tags: Record<string, string>): void {
  const size = encodedTagsSize(tags);
  const before = agent.reportedTags();
  const result = agent.replaceTags(tags);
  if (size <= SERF_TAGS_LIMIT) {
    assert.ok(result.ok, `${size} bytes should be accepted: ${result.output}`);
    assert.deepEqual(agent.reportedTags(), tags);
  } else {
    assert.equal(result.ok, false, `${size} bytes should be refused`);
    assert.match(result.output, new RegExp(LIMIT_ERROR));
    assert.deepEqual(agent.reportedTags(), before, 'a refused change leaves the tags as they were');
  }
}

/** Sets `tags` padded through `key` to exactly 512 bytes (accepted), then to exactly 513 (refused). */
function assertEdge(agent: SerfAgent, tags: Record<string, string>, key = 'pad'): void {
  assertAgentAgrees(agent, paddedTo(SERF_TAGS_LIMIT, tags, key));
  assertAgentAgrees(agent, paddedTo(SERF_TAGS_LIMIT + 1, tags, key));
}

test('the real serf agent accepts tags exactly when encodedTagsSize is at most 512 bytes', async (t) => {
  const agent = new SerfAgent(await freePort(), `127.0.0.1:${await freePort()}`);
  try {
    await agent.waitForRpc();

    await t.test('the lab figures: 498 bytes alone, 490 beside role=h1', () => {
      const labCases: Record<string, string>[] = [
        { services: 'x'.repeat(498) },
        { services: 'x'.repeat(499) },
        { role: 'h1', services: 'x'.repeat(490) },
        { role: 'h1', services: 'x'.repeat(491) },
      ];
      for (const tags of labCases) assertAgentAgrees(agent, tags);
    });

    for (const count of [1, 10, 50]) {
      await t.test(`fitLegacyServices for ${count} services beside cy, mc and fp`, () => {
        const services = realisticServices(count);
        const fit = fitLegacyServices(services, otherTags);
        assert.ok(fit.value !== null);
        const tags = { ...otherTags, services: fit.value };
        assertAgentAgrees(agent, tags);
        assert.deepEqual(decodeLegacyServicesTag(agent.reportedTags().services ?? ''), services.slice(0, fit.included));
        t.diagnostic(`${count} services: ${fit.included} fit, ${encodedTagsSize(tags)} bytes`);
        assertEdge(agent, tags, 'fp');
      });
    }

    await t.test('edges of the old msgpack spec: map16 past 15 tags, raw16 past 31 bytes, UTF-8 bytes', () => {
      assertEdge(agent, Object.fromEntries(Array.from({ length: 16 }, (_, index) => [`k${index}`, `v${index}`])));
      assertEdge(agent, { a: 'x'.repeat(31), b: 'y'.repeat(32), c: 'z'.repeat(31) });
      assertEdge(agent, { desc: 'Càmera_de_l’Ateneu_'.repeat(4), node: 'nòde-ü' });
      assertEdge(agent, {});
    });
  } finally {
    await agent.stop();
  }
});
