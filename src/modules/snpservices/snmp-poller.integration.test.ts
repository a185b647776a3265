// The poller against Debian's real snmpd on 127.0.0.1 (v2c and v1, lo's counters growing with traffic we send), against
// devices that do not answer or answer garbage, against a hostile agent (net-snmp's own, in-process), and many at once.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import snmp from 'net-snmp';

import { freePort } from '../../../test/support/cloudy-node.ts';
import { counterDelta, interfaceRates } from './snmp-counters.ts';
import { pollDevice, pollDevices, type DeviceReading, type SnmpTarget } from './snmp-poller.ts';

const COMMUNITY = 'cloudy-test';
const scratch = mkdtempSync(path.join(os.tmpdir(), 'snpservices-snmpd-'));
let snmpd: ChildProcess | undefined;
let snmpdOutput = '';
let agent: SnmpTarget;
const quick = { timeoutMs: 500, retries: 0 };

async function startSnmpd(port: number): Promise<void> {
  const config = path.join(scratch, 'snmpd.conf');
  writeFileSync(config, `rocommunity ${COMMUNITY} 127.0.0.1\nsysName cloudy-lab-agent\nsysLocation snpservices test\n`);
  // -C: only our config; -f: stays in the foreground (its PID is ours to kill); MIBS empty: numeric OIDs, no MIB files read.
  snmpd = spawn('snmpd', ['-f', '-Lo', '-C', '-c', config, '-p', path.join(scratch, 'snmpd.pid'), `udp:127.0.0.1:${port}`], {
    env: { ...process.env, SNMP_PERSISTENT_DIR: scratch, MIBS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  snmpd.stdout!.setEncoding('utf8').on('data', (chunk: string) => (snmpdOutput = (snmpdOutput + chunk).slice(-8192)));
  snmpd.stderr!.setEncoding('utf8').on('data', (chunk: string) => (snmpdOutput = (snmpdOutput + chunk).slice(-8192)));
  for (const deadline = Date.now() + 15_000; Date.now() < deadline; await sleep(100)) {
    assert.equal(snmpd.exitCode, null, `snmpd exited:\n${snmpdOutput}`);
    if ((await pollDevice(agent, quick)).answered) return;
  }
  assert.fail(`snmpd did not answer on 127.0.0.1:${port} within 15 s:\n${snmpdOutput}`);
}

before(async () => {
  assert.equal(spawnSync('snmpd', ['-v']).status, 0, 'snmpd is installed (apt-get install snmpd; scripts/install-test-deps.sh)');
  const port = await freePort({ udp: true });
  agent = { key: 'lab', address: '127.0.0.1', port, community: COMMUNITY, version: '2c' };
  await startSnmpd(port);
});

after(async () => {
  if (snmpd?.pid !== undefined && snmpd.exitCode === null) {
    const exited = once(snmpd, 'exit');
    process.kill(snmpd.pid, 'SIGTERM');
    await exited;
  }
  rmSync(scratch, { recursive: true, force: true });
});

const lo = (reading: DeviceReading) => reading.interfaces.find((item) => item.name === 'lo');

/** Sends `bytes` over a TCP connection on 127.0.0.1 and waits until they were all received. */
async function loopbackTraffic(bytes: number): Promise<void> {
  let received = 0;
  const done = new Promise<void>((resolve) => {
    const server = net.createServer((socket) => socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received >= bytes) {
        socket.destroy();
        server.close();
        resolve();
      }
    }));
    server.listen(0, '127.0.0.1', () => {
      const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1', () => client.end(Buffer.alloc(bytes, 7)));
      client.on('error', () => {});
    });
  });
  await done;
}

test('v2c: sysName, sysUpTime and lo with 64-bit counters; v1: the same lo with 32-bit ones', async () => {
  const v2c = await pollDevice(agent);
  assert.equal(v2c.answered, true, v2c.error);
  assert.equal(v2c.error, undefined);
  assert.equal(v2c.sysName, 'cloudy-lab-agent');
  assert.ok(v2c.uptimeHundredths! >= 0);
  assert.ok(Math.abs(v2c.at - Date.now()) < 5000);
  assert.deepEqual({ ...lo(v2c), inOctets: 0n, outOctets: 0n }, { index: 1, name: 'lo', inOctets: 0n, outOctets: 0n, bits: 64, operUp: true });
  const v1 = await pollDevice({ ...agent, version: '1' });
  assert.equal(v1.answered, true, v1.error);
  assert.equal(v1.sysName, 'cloudy-lab-agent');
  assert.equal(lo(v1)?.bits, 32);
  assert.equal(lo(v1)?.index, 1);
  assert.equal(v1.interfaces.length, v2c.interfaces.length, 'every interface, in both versions');
});

test('traffic on lo shows in both counters, and as a rate', async () => {
  const bytes = 5_000_000;
  const before64 = await pollDevice(agent);
  const before32 = await pollDevice({ ...agent, version: '1' });
  await loopbackTraffic(bytes);
  // snmpd caches the interface table for a few seconds: read until the traffic shows, at most 15 s.
  let after64 = await pollDevice(agent);
  for (const deadline = Date.now() + 15_000; counterDelta(lo(before64)!.inOctets, lo(after64)!.inOctets, 64) < BigInt(bytes) && Date.now() < deadline; ) {
    await sleep(500);
    after64 = await pollDevice(agent);
  }
  const after32 = await pollDevice({ ...agent, version: '1' });
  assert.ok(counterDelta(lo(before64)!.inOctets, lo(after64)!.inOctets, 64) >= BigInt(bytes), 'ifHCInOctets grew by the bytes sent');
  assert.ok(counterDelta(lo(before64)!.outOctets, lo(after64)!.outOctets, 64) >= BigInt(bytes), 'ifHCOutOctets too (lo sends what it receives)');
  assert.ok(counterDelta(lo(before32)!.inOctets, lo(after32)!.inOctets, 32) >= BigInt(bytes), 'ifInOctets (v1, 32-bit) too');
  const rate = interfaceRates(before64, after64).find((item) => item.name === 'lo');
  assert.ok(rate && rate.inBytesPerSecond > 0, JSON.stringify(rate));
});

test('a wrong community or a port with nothing: answered false within the timeout, with a sentence', async () => {
  for (const target of [{ ...agent, community: 'wrong' }, { ...agent, port: await freePort({ udp: true }) }, { ...agent, community: 'wrong', version: '1' as const }]) {
    const started = Date.now();
    const reading = await pollDevice(target, quick);
    assert.equal(reading.answered, false);
    assert.ok(Date.now() - started < 1500, `${Date.now() - started} ms`);
    assert.match(reading.error!, /^No answer from 127\.0\.0\.1:\d+ in 0\.5 s \(1 try\)/);
    assert.deepEqual(reading.interfaces, []);
  }
  const invalid = await pollDevice({ ...agent, address: 'snmp.example; rm -rf /' });
  assert.equal(invalid.answered, false);
  assert.match(invalid.error!, /is not an IP address/);
});

test('a device answering garbage is unanswered; the poller does not crash', async () => {
  const garbage = dgram.createSocket('udp4');
  garbage.on('message', (_message, peer) => garbage.send(Buffer.from('\x30\x82\xff\xffnot snmp at all'), peer.port, peer.address));
  garbage.bind(0, '127.0.0.1');
  await once(garbage, 'listening');
  try {
    const reading = await pollDevice({ ...agent, port: garbage.address().port }, quick);
    assert.equal(reading.answered, false);
    assert.match(reading.error!, /No answer/);
  } finally {
    garbage.close();
  }
});

/** net-snmp's own agent playing a hostile device: 300 interfaces, names with control characters and 1000 bytes long. */
async function hostileAgent(port: number): Promise<snmp.Agent> {
  const device = snmp.createAgent({ port, address: '127.0.0.1', disableAuthorization: true }, () => {});
  const mib = device.getMib();
  const readOnly = snmp.MaxAccess['read-only'];
  const column = (number: number, name: string, type: number) => ({ number, name, type, maxAccess: readOnly });
  mib.registerProvider({ name: 'sysName', type: snmp.MibProviderType.Scalar, oid: '1.3.6.1.2.1.1.5', scalarType: snmp.ObjectType.OctetString, maxAccess: readOnly });
  mib.setScalarValue('sysName', `evil\u001b]0;owned\u0007${'n'.repeat(1000)}`);
  mib.registerProvider({
    name: 'ifTable', type: snmp.MibProviderType.Table, oid: '1.3.6.1.2.1.2.2.1', maxAccess: snmp.MaxAccess['not-accessible'],
    tableColumns: [column(1, 'ifIndex', snmp.ObjectType.Integer), column(2, 'ifDescr', snmp.ObjectType.OctetString), column(8, 'ifOperStatus', snmp.ObjectType.Integer), column(10, 'ifInOctets', snmp.ObjectType.Counter32), column(16, 'ifOutOctets', snmp.ObjectType.Counter32)],
    tableIndex: [{ columnName: 'ifIndex' }],
  });
  mib.registerProvider({
    name: 'ifXTable', type: snmp.MibProviderType.Table, oid: '1.3.6.1.2.1.31.1.1.1', maxAccess: snmp.MaxAccess['not-accessible'],
    tableColumns: [column(1, 'ifName', snmp.ObjectType.OctetString), column(6, 'ifHCInOctets', snmp.ObjectType.Counter64), column(10, 'ifHCOutOctets', snmp.ObjectType.Counter64), { ...column(99, 'ifXIndex', snmp.ObjectType.Integer), maxAccess: snmp.MaxAccess['not-accessible'] }],
    tableIndex: [{ columnName: 'ifXIndex' }],
  });
  for (let index = 1; index <= 300; index++) {
    mib.addTableRow('ifTable', [index, `descr\n${index}`, index % 2 ? 1 : 2, 4_294_967_295, index]);
    // Counter64 as 8 raw bytes, top bit set: unsigned 2^64 - 1.
    if (index <= 100) mib.addTableRow('ifXTable', [`\u202ewlan${index}\u0000${'x'.repeat(1000)}`, Buffer.alloc(8, 0xff), Buffer.alloc(8, 0), index]);
  }
  return device;
}

test('a hostile agent: names cleaned and cut, at most 256 interfaces, 64-bit where it has them', async () => {
  const port = await freePort({ udp: true });
  const device = await hostileAgent(port);
  try {
    const reading = await pollDevice({ ...agent, port, community: 'anything' }, { timeoutMs: 2000 });
    assert.equal(reading.answered, true, reading.error);
    assert.equal(reading.sysName, `evil]0;owned${'n'.repeat(52)}`);
    assert.equal(reading.interfaces.length, 256);
    const first = reading.interfaces[0]!;
    assert.deepEqual({ ...first, name: first.name.length }, { index: 1, name: 64, inOctets: 2n ** 64n - 1n, outOctets: 0n, bits: 64, operUp: true });
    assert.ok(first.name.startsWith('wlan1x'));
    assert.deepEqual(reading.interfaces[100], { index: 101, name: 'descr101', inOctets: 4_294_967_295n, outOctets: 101n, bits: 32, operUp: true });
  } finally {
    device.close();
  }
});

const openDescriptors = () => readdirSync('/proc/self/fd').length;

test('300 devices at once: answered or not, every socket closed, readings in order', async () => {
  const descriptors = openDescriptors();
  const dead = await freePort({ udp: true });
  const targets = Array.from({ length: 300 }, (_, index): SnmpTarget => ({
    ...agent,
    key: `device-${index}`,
    version: index % 3 === 1 ? '1' : '2c',
    ...(index % 10 === 9 && { port: dead }),
    ...(index % 10 === 8 && { community: 'wrong' }),
  }));
  const started = Date.now();
  const readings = await pollDevices(targets, { concurrency: 64, ...quick });
  assert.deepEqual(readings.map((reading) => reading.key), targets.map((target) => target.key));
  assert.equal(readings.filter((reading) => reading.answered).length, 240);
  assert.ok(readings.filter((reading) => reading.answered).every((reading) => lo(reading)), 'each answered reading has lo');
  assert.ok(Date.now() - started < 20_000, `${Date.now() - started} ms`);
  await sleep(100); // UDP sockets close on the next turn of the event loop
  assert.ok(openDescriptors() <= descriptors + 2, `${openDescriptors()} descriptors open, ${descriptors} before`);
});

test('an abort stops the round: devices not yet asked and those waiting are unanswered at once', async () => {
  const dead = await freePort({ udp: true });
  const controller = new AbortController();
  const started = Date.now();
  setTimeout(() => controller.abort(), 200);
  const readings = await pollDevices(Array.from({ length: 20 }, (_, index) => ({ ...agent, key: `d${index}`, port: dead })), { concurrency: 4, timeoutMs: 5000, retries: 0, signal: controller.signal });
  assert.ok(Date.now() - started < 2000, `${Date.now() - started} ms`);
  assert.ok(readings.every((reading) => !reading.answered && /stopped/.test(reading.error!)), JSON.stringify(readings[0]));
});
