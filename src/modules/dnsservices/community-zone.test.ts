// The community zone and named.conf as rendered, checked by bind's own named-checkzone and named-checkconf, with
// hostile discovered names that must be escaped or dropped, never break the zone file.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';

import { communityZone, hostsOf, reverseZone, reverseZoneName, type ZoneService } from './community-zone.ts';
import { escapeLabel, hostLabel, instanceName, txtString } from './dns-names.ts';
import { checkCidr, zoneName } from './dns-values.ts';
import { namedConfig } from './named-config.ts';
import { nextSerial } from './privileged.ts';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'dnsservices-zone-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** named-checkzone's verdict and, with -D, the zone as bind reads it (one record per line, names absolute). */
function checkZone(zone: string, text: string): { ok: boolean; output: string; dump: string } {
  const file = path.join(scratch, `${zone}.zone`);
  writeFileSync(file, text);
  const checked = spawnSync('named-checkzone', ['-D', '-o', '-', zone, file], { encoding: 'utf8' });
  return { ok: checked.status === 0, output: checked.stderr + checked.stdout, dump: checked.stdout };
}

const service = (overrides: Partial<ZoneService>): ZoneService => ({ type: 'webdav', description: 'Files', node: 'h1', address: '10.1.0.1', port: 8443, txt: {}, ...overrides });

test('labels, instance names and TXT strings follow RFC 1035 limits and zone-file escapes', () => {
  assert.equal(hostLabel('a.b'), 'a-b');
  assert.equal(hostLabel('..'), null);
  assert.equal(hostLabel('x'.repeat(300))!.length, 63);
  assert.equal(hostLabel('Niño;"\n'), 'ni-o');
  assert.equal(escapeLabel('a.b c'), 'a\\046b\\032c');
  assert.equal(Buffer.byteLength(instanceName('ñ'.repeat(100))!), 62, 'cut between code points, at most 63 octets');
  assert.equal(instanceName(' \n\t '), null);
  assert.equal(txtString('a"b\\c;d\ne'), '"a\\"b\\\\c;d\\010e"');
  assert.equal(txtString('é'), '"\\195\\169"');
  assert.equal(txtString('x'.repeat(400)).length, 257, '255 octets and the quotes');
});

test('a zone of ordinary records passes named-checkzone with the DNS-SD browse records', () => {
  const text = communityZone({
    zone: 'guifi.internal',
    serial: 7,
    self: { node: 'h1', address: '10.1.0.1' },
    services: [service({}), service({ type: 'dns', description: 'Community DNS', port: 53, txt: { zone: 'guifi.internal' } }), service({ node: 'h2', address: '10.1.0.2' })],
  });
  const { ok, output, dump } = checkZone('guifi.internal', text);
  assert.ok(ok, output);
  assert.match(dump, /^guifi\.internal\.\s+60\s+IN SOA\s+h1\.guifi\.internal\. hostmaster\.guifi\.internal\. 7 /m);
  assert.match(dump, /^h1\.guifi\.internal\.\s+60\s+IN A\s+10\.1\.0\.1$/m);
  assert.match(dump, /^h2\.guifi\.internal\.\s+60\s+IN A\s+10\.1\.0\.2$/m);
  for (const browse of ['b', 'db', 'lb']) assert.match(dump, new RegExp(`^${browse}\\._dns-sd\\._udp\\.guifi\\.internal\\.\\s+60\\s+IN PTR\\s+guifi\\.internal\\.$`, 'm'));
  assert.match(dump, /^_services\._dns-sd\._udp\.guifi\.internal\.\s+60\s+IN PTR\s+_dns\._udp\.guifi\.internal\.$/m);
  assert.match(dump, /^_services\._dns-sd\._udp\.guifi\.internal\.\s+60\s+IN PTR\s+_webdav\._tcp\.guifi\.internal\.$/m);
  assert.match(dump, /^_webdav\._tcp\.guifi\.internal\.\s+60\s+IN PTR\s+Files\._webdav\._tcp\.guifi\.internal\.$/m);
  assert.match(dump, /^_webdav\._tcp\.guifi\.internal\.\s+60\s+IN PTR\s+Files\\032#2\._webdav\._tcp\.guifi\.internal\.$/m, 'a second "Files" is renamed');
  assert.match(dump, /^Community\\032DNS\._dns\._udp\.guifi\.internal\.\s+60\s+IN SRV\s+0 0 53 h1\.guifi\.internal\.$/m);
  assert.match(dump, /^Community\\032DNS\._dns\._udp\.guifi\.internal\.\s+60\s+IN TXT\s+"zone=guifi\.internal"$/m);
  assert.match(dump, /^Files\._webdav\._tcp\.guifi\.internal\.\s+60\s+IN TXT\s+""$/m, 'RFC 6763 §6.1: an empty TXT is one empty string');
});

test('hostile discovered names and TXT values are escaped or dropped and the zone still passes named-checkzone', () => {
  const hostile = [
    'a.b',
    '..',
    'x'.repeat(300),
    'Niño 東京',
    'quote"semi;colon',
    'new\nline\r\n$ORIGIN evil.',
    '@ IN NS evil.',
    '\\',
    '',
    '-',
    '*',
    '(',
  ];
  const services: ZoneService[] = [];
  for (const text of hostile) {
    services.push(service({ node: text, description: text, address: '10.2.0.9', txt: { [text || 'k']: text, long: 'v'.repeat(1000), 'a"b': 'c\\d' } }));
    services.push(service({ type: text, description: text }));
  }
  services.push(service({ address: 'not-an-address' }), service({ address: '::1; evil' }), service({ port: 70000 }), service({ node: 'v6', address: 'fd00::1' }));
  const zone = `${'z'.repeat(60)}.${'y'.repeat(60)}.${'w'.repeat(60)}.internal`;
  for (const name of ['guifi.internal', zone]) {
    const text = communityZone({ zone: name, serial: 1, self: { node: 'h1', address: '10.1.0.1' }, services });
    const { ok, output, dump } = checkZone(name, text);
    assert.ok(ok, `${output}\n${text}`);
    assert.doesNotMatch(dump, /evil\.\s/, 'no injected record');
    for (const line of dump.trim().split('\n')) assert.ok(line.split(/\s/)[0]!.endsWith(`.${name}.`) || line.startsWith(`${name}.`), `every owner is in the zone: ${line}`);
  }
  const text = communityZone({ zone: 'guifi.internal', serial: 1, self: { node: 'h1', address: '10.1.0.1' }, services });
  const { dump } = checkZone('guifi.internal', text);
  assert.match(dump, /^a-b\.guifi\.internal\.\s+60\s+IN A\s+10\.2\.0\.9$/m);
  assert.match(dump, /^v6\.guifi\.internal\.\s+60\s+IN AAAA\s+fd00::1$/m);
  assert.match(dump, /^quote\\"semi\\;colon\._webdav\._tcp|^quote\\034semi\\059colon\._webdav\._tcp/m);
  assert.doesNotMatch(dump, /IN A\s+not-an-address/);
});

test('a node discovery knows without any service gets its name too; a hostile one stays one label', () => {
  const nodes = [{ node: 'h3', address: '10.1.0.3' }, { node: 'evil\n@ IN NS x.', address: '10.1.0.4' }, { node: 'bad', address: 'not-an-address' }];
  const text = communityZone({ zone: 'guifi.internal', serial: 1, self: { node: 'h1', address: '10.1.0.1' }, services: [], nodes });
  const { dump } = checkZone('guifi.internal', text);
  assert.match(dump, /^h3\.guifi\.internal\.\s+60\s+IN A\s+10\.1\.0\.3$/m);
  assert.equal((dump.match(/\sIN NS\s/g) ?? []).length, 1, 'no name server injected');
  assert.doesNotMatch(dump, /not-an-address/);
});

test('reverse zones for octet-aligned community networks name each node', () => {
  assert.equal(reverseZoneName('10.0.0.0/8'), '10.in-addr.arpa');
  assert.equal(reverseZoneName('192.168.0.0/16'), '168.192.in-addr.arpa');
  assert.equal(reverseZoneName('172.16.0.0/12'), null, 'not on an octet boundary');
  const input = { zone: 'guifi.internal', serial: 3, self: { node: 'h1', address: '10.1.0.1' }, services: [service({ node: 'h2', address: '10.1.0.2' }), service({ node: 'lan', address: '192.168.5.4' })] };
  const text = reverseZone('10.in-addr.arpa', 3, hostsOf(input), 'guifi.internal', 'h1');
  const { ok, output, dump } = checkZone('10.in-addr.arpa', text);
  assert.ok(ok, output);
  assert.match(dump, /^2\.0\.1\.10\.in-addr\.arpa\.\s+60\s+IN PTR\s+h2\.guifi\.internal\.$/m);
  assert.doesNotMatch(dump, /192/);
});

test('named.conf from the defaults and forwarders passes named-checkconf', () => {
  const file = path.join(scratch, 'named.conf');
  const zoneFile = path.join(scratch, 'guifi.internal.zone');
  writeFileSync(zoneFile, communityZone({ zone: 'guifi.internal', serial: 1, self: { node: 'h1', address: '10.1.0.1' }, services: [] }));
  const text = namedConfig({
    port: 53,
    clientSubnets: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10'],
    forwarders: ['10.90.0.1', '10.90.0.2'],
    zones: [{ name: 'guifi.internal', file: zoneFile }],
    paths: { home: scratch },
  });
  writeFileSync(file, text);
  const checked = spawnSync('named-checkconf', ['-z', file], { encoding: 'utf8' });
  assert.equal(checked.status, 0, checked.stdout + checked.stderr);
  assert.match(text, /allow-recursion \{ cloudy_clients; \};/);
  assert.match(text, /forwarders \{ 10\.90\.0\.1; 10\.90\.0\.2; \};/);
  assert.match(text, /^ {2}validate-except \{ "internal"; \};$/m, 'another microcloud’s zone, given by a forwarder, is not validated against the root');
  assert.throws(() => namedConfig({ port: 53, clientSubnets: [], forwarders: ['x"; }'], zones: [], paths: { home: scratch } }), /not an IPv4 address/);
});

test('settings: networks, the zone name and serials', () => {
  assert.doesNotThrow(() => checkCidr('100.64.0.0/10'));
  assert.throws(() => checkCidr('10.1.2.3/8'), /host bits/);
  assert.throws(() => checkCidr('300.0.0.0/8'), /not an IPv4 network/);
  assert.equal(zoneName('', 'guifi'), 'guifi.internal');
  assert.equal(zoneName('', ''), 'community.internal');
  assert.equal(zoneName('Barcelona.Guifi.net', 'guifi'), 'barcelona.guifi.net');
  assert.equal(nextSerial(null, 1000), 1000);
  assert.equal(nextSerial(2000, 1000), 2001, 'never goes back, even when the clock does');
});
