// A hostile peer: a Serf agent posing as a Cloudy node whose list holds 10,000 records of HTML, control characters,
// 10 kB strings and bad ports, plus a storm of change events. The node keeps it bounded, clean and stays responsive.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';

import { certificatePin, PEER_PROTOCOL } from '../../src/daemon/discovery/peer-document.ts';
import { CACHE_LIMITS } from '../../src/daemon/discovery/record-cache.ts';
import { RECORD_LIMITS } from '../../src/daemon/discovery/service-record.ts';
import { startNodeWithAdmin, type StartedNode } from '../support/cloudy-node.ts';
import { searchAll, serfAddressOf, waitForRecords, waitForSerf } from '../support/discovery-peers.ts';
import type { PanelSession } from '../support/panel-session.ts';
import { freeSerfPort, type SerfAgent, startSerfAgent } from '../support/serf-agent.ts';

const execFileAsync = promisify(execFile);
const FLOOD = 10_000;
const HUGE = 'x'.repeat(10_000);

function hostileServices(): unknown[] {
  const services: unknown[] = [
    { type: 'webdav', description: '<img src=x onerror=alert(1)>', port: 443, txt: { path: '/a\nInjected: yes', '<bad key>': 'v', big: HUGE } },
    { type: 'webdav', description: `multi\nline\r\ndescription\u202eevil\u0000`, port: 444, txt: Object.fromEntries(Array.from({ length: 100 }, (_, index) => [`k${index}`, 'v'])) },
    { type: 'webdav', description: HUGE, port: 445, txt: {} },
    { type: '../../etc/passwd', description: 'bad type', port: 446, txt: {} },
    { type: 'webdav', description: 'bad port', port: 99_999, txt: {} },
    { type: 'webdav', description: 'negative port', port: -1, txt: {} },
    { type: 'webdav', description: 'string port', port: 'eighty', txt: {} },
    { type: 'webdav', description: { nested: true }, port: 447, txt: 'not an object' },
  ];
  for (let index = 0; services.length < FLOOD; index++) services.push({ type: `flood${index % 50}`, description: `flood ${index}`, port: 1000 + (index % 60_000), txt: {} });
  return services;
}

describe('a hostile peer', { timeout: 300_000 }, () => {
  let given: { node: StartedNode; session: PanelSession };
  let agent: SerfAgent | undefined;
  let server: https.Server | undefined;
  let certDir = '';
  let fetches = 0;

  before(async () => {
    given = await startNodeWithAdmin();
    await waitForSerf(given.session);
    certDir = mkdtempSync(path.join(os.tmpdir(), 'cloudy-hostile-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=hostile', '-keyout', path.join(certDir, 'key.pem'), '-out', path.join(certDir, 'cert.pem')], { stdio: 'ignore' });
    const cert = readFileSync(path.join(certDir, 'cert.pem'));
    const document = JSON.stringify({ protocol: PEER_PROTOCOL, nodeId: 'hostile<script>', node: '<b>evil</b>\nnode', microcloud: 'BAD MC', digest: 'aaaaaaaaaaaa', coordinate: { vec: [1e300], error: 0, adjustment: 0, height: 0 }, services: hostileServices() });
    server = https.createServer({ key: readFileSync(path.join(certDir, 'key.pem')), cert }, (_request, response) => {
      fetches += 1;
      response.writeHead(200, { 'content-type': 'application/json' }).end(document);
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const apiPort = (server.address() as AddressInfo).port;
    const [bindPort, rpcPort] = [await freeSerfPort(), await freeSerfPort()];
    agent = await startSerfAgent({
      name: 'hostile-node',
      bind: `127.0.0.1:${bindPort}`,
      rpcPort,
      join: [serfAddressOf(given.node)],
      tags: { cy: `1 ${apiPort} aaaaaaaaaaaa 9999`, fp: certificatePin(cert) },
    });
  });

  after(async () => {
    await agent?.stop();
    server?.close();
    rmSync(certDir, { recursive: true, force: true });
    await given?.node.stop();
  });

  test(`${FLOOD} records from one node are stored bounded and cleaned`, async () => {
    const hostile = await waitForRecords(given.session, 'the hostile node’s records', (records) => {
      const fromIt = records.filter((record) => record.nodeId.startsWith('hostile'));
      return fromIt.length > 0 ? fromIt : undefined;
    });
    assert.ok(hostile.length <= CACHE_LIMITS.perNode, `${hostile.length} records kept from one node`);
    for (const record of hostile) {
      assert.ok(record.description.length <= RECORD_LIMITS.descriptionChars, 'descriptions are cut');
      assert.doesNotMatch(`${record.description}${record.node}${Object.values(record.txt).join('')}`, /[\u0000-\u001f\u007f\u202e]/, 'no control or bidi characters survive');
      assert.ok(Object.keys(record.txt).length <= RECORD_LIMITS.txtEntries);
      assert.ok(Object.keys(record.txt).every((key) => /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/.test(key)));
      assert.ok(record.port >= 0 && record.port <= 65535);
      assert.match(record.type, /^[a-z0-9][a-z0-9-]{0,31}$/);
      assert.equal(record.address, '127.0.0.1', 'the address is where the peer was reached, not what it claims');
      assert.doesNotMatch(record.node, /[<>\s]/);
    }
    const html = hostile.find((record) => record.port === 443);
    assert.equal(html?.description, '<img src=x onerror=alert(1)>', 'HTML is kept as text; the panel escapes it');
    assert.equal(html?.txt.path, '/a Injected: yes');
    assert.ok(!hostile.some((record) => [446, 99_999].includes(record.port) || record.description === 'bad type'));
  });

  test('a storm of change events does not make the node fetch in a loop, and it stays responsive', async () => {
    const before = fetches;
    const started = Date.now();
    // Asynchronously: a synchronous call would stop this process reading the agent's log pipe, and a full pipe stalls the agent.
    for (let index = 0; index < 200; index++) {
      await execFileAsync('serf', ['event', `-rpc-addr=127.0.0.1:${agent!.rpcPort}`, '-coalesce=false', 'cloudy-changed', `hostile-node b${String(index).padStart(11, '0')}`]);
    }
    const healthStarted = process.hrtime.bigint();
    const health = await given.session.request('GET', '/api/health');
    const healthMs = Number(process.hrtime.bigint() - healthStarted) / 1e6;
    const searchStarted = process.hrtime.bigint();
    const result = await searchAll(given.session);
    const searchMs = Number(process.hrtime.bigint() - searchStarted) / 1e6;
    const seconds = (Date.now() - started) / 1000;
    console.log(`# 200 change events in ${seconds.toFixed(1)} s → ${fetches - before} fetches; health ${healthMs.toFixed(1)} ms, search of ${result.total} records ${searchMs.toFixed(1)} ms`);
    assert.equal(health.status, 200);
    assert.ok(fetches - before <= Math.ceil(seconds) + 3, `fetches are rate limited (${fetches - before} in ${seconds.toFixed(1)} s)`);
  });
});
