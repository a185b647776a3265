// The graph server's pure parts: snmpd.conf from settings, which devices a round polls, badges and the public paths.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { DiscoveredService } from '../../kit/module-hooks.ts';
import { devicesToGraph } from './device-list.ts';
import { GraphServer } from './graph-server.ts';
import { badgeSvg, publicData } from './public-data.ts';
import { AgentSettingError, snmpdConfig } from './snmpd-config.ts';

const agent = (address: string, node: string, txt: Record<string, string> = { community: 'public' }): DiscoveredService => ({ key: `k-${address}`, type: 'snmp', description: 'SNMP agent', node, address, port: 161, txt });
const words = { up: 'Up', down: 'Down', unknown: 'unknown', availability: 'availability', in: 'In', out: 'Out', ping: 'Ping', pingMs: 'Round trip', pingLoss: 'Lost' };

test('snmpd.conf: read-only, the allowed networks and loopback only, the node’s own name', () => {
  const text = snmpdConfig({ port: 1161, community: 'public', subnets: ['10.0.0.0/8'], nodeName: 'h1' });
  assert.match(text, /^agentaddress udp:1161,tcp:1161$/m);
  assert.deepEqual(text.match(/^rocommunity .*$/gm), ['rocommunity public 127.0.0.1 -V cloudy', 'rocommunity public 10.0.0.0/8 -V cloudy']);
  assert.doesNotMatch(text, /rwcommunity|rwuser|createUser|^exec|^pass|^extend/m);
  assert.match(text, /^sysname h1$/m);
});

test('snmpd.conf: a value that could add a directive is refused, not written', () => {
  for (const community of ['pub lic', 'a\nrwcommunity x', '', 'x'.repeat(33)]) {
    assert.throws(() => snmpdConfig({ port: 161, community, subnets: [], nodeName: 'h1' }), AgentSettingError);
  }
  assert.throws(() => snmpdConfig({ port: 161, community: 'public', subnets: ['10.0.0.1/8'], nodeName: 'h1' }), /host bits/);
  assert.throws(() => snmpdConfig({ port: 161, community: 'public', subnets: ['10.0.0.0/8\nrwcommunity x'], nodeName: 'h1' }), AgentSettingError);
  assert.throws(() => snmpdConfig({ port: 161, community: 'public', subnets: [], nodeName: 'h1\nrocommunity x' }), AgentSettingError);
  assert.throws(() => snmpdConfig({ port: 70000, community: 'public', subnets: [], nodeName: 'h1' }), AgentSettingError);
});

test('devices: one per address, by hand before CNML before discovery; discovery as the owner chose', () => {
  const manual = [{ key: 'router', values: { name: 'router', address: '10.1.0.1', port: 161, community: 'secret', version: '1' }, passwordHash: null }];
  const cnml = [
    { id: '42', name: 'AP Sant Pere', address: '10.1.0.1', graphServer: null, nodeId: '7' },
    { id: '43', name: 'AP Nord', address: '10.1.0.2', graphServer: null, nodeId: '7' },
  ];
  const discovered = [agent('10.1.0.2', 'h2'), agent('10.1.0.3', 'h3', { community: 'bad community' }), agent('10.1.0.4', 'h4'), { ...agent('10.1.0.5', 'h5'), type: 'webdav' }];
  const devices = devicesToGraph({ manual, cnml, discovered, graphDiscovered: true, chosen: [], ignored: ['10.1.0.4'] });
  assert.deepEqual(
    devices.map((device) => [device.key, device.source, device.target.address, device.target.community, device.target.version]),
    [
      ['m.router', 'manual', '10.1.0.1', 'secret', '1'],
      ['c.43', 'cnml', '10.1.0.2', 'public', '2c'],
      // A community that could not be one is not used: the default is tried.
      ['n.10.1.0.3', 'discovered', '10.1.0.3', 'public', '2c'],
    ],
  );
  assert.equal(devices[1]!.name, 'AP Nord (10.1.0.2)');
  const chosenOnly = devicesToGraph({ manual: [], cnml: [], discovered, graphDiscovered: false, chosen: ['10.1.0.4'], ignored: [] });
  assert.deepEqual(chosenOnly.map((device) => device.key), ['n.10.1.0.4']);
});

test('a discovered name is data: control characters go, length is bounded', () => {
  const [device] = devicesToGraph({ manual: [], cnml: [], discovered: [agent('10.1.0.9', `evil\u0000\u001b[31m${'x'.repeat(300)}`)], graphDiscovered: true, chosen: [], ignored: [] });
  assert.doesNotMatch(device!.name, /[\u0000-\u001f]/);
  assert.ok(device!.name.length <= 64 + ' (10.1.0.9)'.length);
});

test('badges: Up, Down, unknown, and markup in the words never becomes markup', () => {
  const server = new GraphServer();
  assert.match(badgeSvg(undefined, words), />unknown</);
  assert.match(badgeSvg(undefined, { ...words, availability: '<script>' }), /&#60;script&#62;/);
  assert.doesNotMatch(badgeSvg(undefined, { ...words, availability: '<script>' }), /<script>/);
  assert.equal(server.statuses().length, 0);
});

test('public paths: only the stable ones answer; anything else is null (404)', async () => {
  const server = new GraphServer();
  const drawn: unknown[] = [];
  const deps = { server, history: () => ({ step: 60, series: {} }), words: { en: words, ca: words, es: words }, renderPng: async (spec: unknown) => (drawn.push(spec), new Uint8Array([0x89])) };
  assert.equal((await publicData('devices.json', new URLSearchParams(), deps))?.contentType, 'application/json');
  assert.equal((await publicData('devices.json', new URLSearchParams(), deps))?.body, '[]\n');
  assert.match(String((await publicData('device/n.10.1.0.3/badge.svg', new URLSearchParams(), deps))?.body), /unknown/);
  assert.match(String((await publicData('graphs/graphs.php', new URLSearchParams('type=availability&device=42'), deps))?.body), /unknown/);
  for (const path of ['device/n.10.1.0.3.json', 'device/x.1/badge.svg', 'graphs/graphs.php', 'etc/passwd', 'device/n.10.1.0.3.json/../x', 'device/n.10.1.0.3/ping.png', 'device/n.10.1.0.3/x.png']) {
    assert.equal(await publicData(path, new URLSearchParams(), deps), null, path);
  }
  assert.equal(drawn.length, 0, 'nothing drawn for a device it does not graph');
});

test('PNG graphs: gnuplot’s script holds only numbers and plain words; anything it could run is refused', async () => {
  const { gnuplotScript, plainText, thinned, PngGraphError } = await import('./png-graph.ts');
  const spec = { title: 'eth0', unit: 'B/s' as const, from: 1_700_000_000, to: 1_700_003_600, lines: [{ label: 'In', points: [[1_700_000_060, 1.5]] as Array<[number, number]> }] };
  const script = gnuplotScript(spec);
  assert.match(script, /^\$line0 << EOD\n1700000060 1\.5\nEOD$/m);
  assert.match(script, /^plot \$line0 using 1:2 with lines linewidth 2 title 'In'$/m);
  for (const hostile of ["x' ; system('id') #", 'a`id`', 'a\nsystem "id"', '!id']) {
    assert.throws(() => gnuplotScript({ ...spec, title: hostile }), PngGraphError);
    assert.doesNotMatch(plainText(hostile), /['`\n!;]/);
  }
  assert.throws(() => gnuplotScript({ ...spec, lines: [{ label: 'x', points: [[1, Number.NaN]] }] }), PngGraphError);
  const week = Array.from({ length: 10_080 }, (_, minute): [number, number] => [minute * 60, minute % 2]);
  assert.ok(thinned(week).length <= 1000 && thinned(week).length > 900, String(thinned(week).length));
  assert.ok(thinned(week).every(([, value]) => value > 0.4 && value < 0.6), 'runs are averaged, not sampled');
});
