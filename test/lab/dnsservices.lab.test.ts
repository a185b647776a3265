// Three Cloudy nodes in one microcloud with the community DNS on h1, asked with dig from h3: every node's name,
// DNS-SD browsing of the community's service types, a stopped service leaving the zone within seconds, and recursion
// only for the networks in clientSubnets, and another microcloud's zone resolved through a forwarder with no Internet.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { eventually, installFromMirror, type LabNode, removeRoots, startLabNode } from '../support/lab-node.ts';
import { createLab, type Lab } from '../support/netns-lab.ts';

const SERF_PORT = 7946;
/** Another microcloud's zone, served by a plain named on h2 (as another community DNS would). */
const ELSEWHERE = 'elsewhere.internal';
const ELSEWHERE_ADDRESS = '10.77.0.7';

describe('community DNS across three lab hosts', { timeout: 600_000, skip: process.getuid?.() !== 0 && 'needs root for network namespaces' }, () => {
  let lab: Lab;
  let h1: LabNode;
  let h2: LabNode;
  let h3: LabNode;
  let zone: string;
  const elsewhereDir = mkdtempSync(path.join(os.tmpdir(), 'dnsservices-lab-elsewhere-'));

  /** dig from h3 to h1's named (argv, never a shell); one try of 2 s, so a poll decides how long to wait. */
  async function digFromH3(...args: string[]): Promise<string> {
    const result = await lab.run(h3.host, ['dig', `@${h1.host.address}`, '+time=2', '+tries=1', ...args], { timeoutMs: 15_000 });
    if (result.code !== 0) throw new Error(`dig ${args.join(' ')} failed (${result.code}): ${result.stdout}${result.stderr}`);
    return result.stdout;
  }
  const short = async (...args: string[]) => (await digFromH3('+short', ...args)).split('\n').filter((line) => line !== '');
  const serviceTypes = () => short(`_services._dns-sd._udp.${zone}`, 'PTR');
  /** The header of an answer: its status and flags, e.g. { status: 'REFUSED', flags: ['qr', 'rd'] }. */
  async function header(...args: string[]): Promise<{ status: string; flags: string[] }> {
    const output = await digFromH3(...args);
    const status = /status: ([A-Z]+)/.exec(output)?.[1] ?? 'none';
    const flags = /;; flags: ([a-z ]+);/.exec(output)?.[1]?.trim().split(' ') ?? [];
    return { status, flags };
  }

  before(async () => {
    // Lab hosts cannot reach Debian's mirror: what the nodes install must be on the machine already (lifecycle tests
    // elsewhere remove bind9), and dig runs inside h3.
    installFromMirror('serf', 'syncthing', 'bind9', 'bind9-dnsutils');
    lab = await createLab(3, { namePrefix: 'cdns' });
    [h1, h2, h3] = (await Promise.all(lab.hosts.map((host) => startLabNode(lab, host)))) as [LabNode, LabNode, LabNode];
    const join = `joinAddresses=${h1.host.address}:${SERF_PORT}`;
    await Promise.all([h2.cli('discovery', 'configure', join), h3.cli('discovery', 'configure', join)]);
    await h1.cli('module', 'install', 'dnsservices');
    await h1.cli('module', 'start', 'dnsservices');
    await h2.cli('module', 'install', 'syncthing');
    await h2.cli('module', 'start', 'syncthing');
    const detail = await h1.cli('module', 'show', 'dnsservices');
    zone = detail.details.find((line: { label: string }) => line.label === 'Community zone').value;
  });

  after(async () => {
    await lab?.destroy();
    await removeRoots([h1, h2, h3]);
    rmSync(elsewhereDir, { recursive: true, force: true });
  });

  test('every node’s name answers its address, h3’s too though it publishes nothing', async () => {
    assert.equal(zone, 'guifi.internal', 'the microcloud’s zone by default');
    for (const node of [h1, h2, h3]) {
      await eventually(`${node.host.name}.${zone} A from h3`, 60_000, async () => ((await short(`${node.host.name}.${zone}`, 'A')).join() === node.host.address ? true : undefined), 500);
    }
  });

  test('_services._dns-sd._udp lists the community’s service types, with h2’s instance resolvable', async () => {
    await h3.cli('publish', 'Lab notes on h3', 'labnotes', '8080');
    const types = await eventually('h2’s syncthing, h3’s notes and h1’s own DNS types in the zone', 60_000, async () => {
      const found = await serviceTypes();
      return found.includes(`_syncthing._tcp.${zone}.`) && found.includes(`_dns._udp.${zone}.`) && found.includes(`_labnotes._tcp.${zone}.`) ? found : undefined;
    }, 500);
    assert.ok(types.includes(`_labnotes._tcp.${zone}.`), `h3’s hand-published type: ${types.join(' ')}`);
    assert.ok(types.includes(`_dnsservice._tcp.${zone}.`), 'the 2015 type of the module itself');
    const [instance] = await short(`_syncthing._tcp.${zone}`, 'PTR');
    assert.ok(instance, 'an instance of h2’s syncthing');
    const [srv] = await short(instance, 'SRV');
    assert.match(srv ?? '', new RegExp(`^0 0 \\d+ h2\\.${zone.replaceAll('.', '\\.')}\\.$`));
  });

  test('a service stopped on h2 leaves the zone within seconds', async () => {
    const stopping = Date.now();
    await h2.cli('module', 'stop', 'syncthing');
    const stopped = Date.now();
    await eventually('h2’s syncthing gone from the zone', 30_000, async () => {
      const [types, instances] = await Promise.all([serviceTypes(), short(`_syncthing._tcp.${zone}`, 'PTR')]);
      return !types.includes(`_syncthing._tcp.${zone}.`) && instances.length === 0 ? true : undefined;
    }, 200);
    const seconds = (Date.now() - stopped) / 1000;
    console.log(`# syncthing stopped on h2 (the stop took ${((stopped - stopping) / 1000).toFixed(1)} s) → gone from h1’s zone, asked from h3: ${seconds.toFixed(1)} s later`);
    assert.ok((await serviceTypes()).includes(`_dns._udp.${zone}.`), 'the rest of the zone stays');
    assert.deepEqual(await short(`h2.${zone}`, 'A'), [h2.host.address], 'h2 keeps its name without a service');
  });

  test('recursion only for clientSubnets: refused to an address outside, allowed to one inside', async () => {
    // h3 gets a second address in the lab's upper half; clientSubnets becomes the lower half only.
    const prefix = h3.host.address.split('.').slice(0, 3).join('.');
    const outside = `${prefix}.129`;
    const addResult = await lab.run(h3.host, ['ip', 'addr', 'add', `${outside}/24`, 'dev', 'eth0']);
    assert.equal(addResult.code, 0, addResult.stderr);
    // No Internet in the lab: the out-of-zone name is only asked to see whether named would recurse, not for an answer.
    const recursive = (from: string) => header('-b', from, '+recurse', 'example.com', 'A');
    const byDefault = await recursive(outside);
    assert.notEqual(byDefault.status, 'REFUSED', 'the default clientSubnets (10.0.0.0/8) cover it');
    assert.ok(byDefault.flags.includes('ra'), `recursion available by default: ${byDefault.flags.join(' ')}`);

    const configured = Date.now();
    await h1.cli('module', 'configure', 'dnsservices', `clientSubnets=${prefix}.0/25`);
    const refused = await eventually(`recursion refused to ${outside}`, 30_000, async () => {
      const answer = await recursive(outside);
      return answer.status === 'REFUSED' ? answer : undefined;
    }, 200);
    const refusedAfter = (Date.now() - configured) / 1000;
    assert.ok(!refused.flags.includes('ra'), `no recursion available outside: ${refused.flags.join(' ')}`);
    const inZone = await header('-b', outside, '+recurse', `h1.${zone}`, 'A');
    assert.equal(inZone.status, 'NOERROR', 'the community zone still answers anyone');
    assert.ok(inZone.flags.includes('aa') && !inZone.flags.includes('ra'), `authoritative, without recursion: ${inZone.flags.join(' ')}`);

    const inside = await recursive(h3.host.address);
    assert.notEqual(inside.status, 'REFUSED', `h3’s own address (${h3.host.address}) is inside ${prefix}.0/25`);
    assert.ok(inside.flags.includes('ra'), `recursion available inside: ${inside.flags.join(' ')}`);
    console.log(`# clientSubnets ${prefix}.0/25 saved → ${outside} refused: ${refusedAfter.toFixed(1)} s; ${h3.host.address} inside: ${inside.status}, flags ${inside.flags.join(' ')}`);
  });

  test('a name of another microcloud comes through a forwarder, in a community without the Internet', async () => {
    writeFileSync(path.join(elsewhereDir, 'zone'), [`$ORIGIN ${ELSEWHERE}.`, '$TTL 60', '@ IN SOA ns hostmaster 1 3600 600 86400 60', '@ IN NS ns', `ns IN A ${h2.host.address}`, `www IN A ${ELSEWHERE_ADDRESS}`, ''].join('\n'));
    const config = [
      `options { directory "${elsewhereDir}"; pid-file "${elsewhereDir}/named.pid"; session-keyfile "${elsewhereDir}/session.key"; listen-on { ${h2.host.address}; }; listen-on-v6 { none; }; recursion no; };`,
      'controls { };',
      `zone "${ELSEWHERE}" { type primary; file "${elsewhereDir}/zone"; };`,
      '',
    ].join('\n');
    writeFileSync(path.join(elsewhereDir, 'named.conf'), config);
    lab.spawn(h2.host, ['named', '-f', '-c', path.join(elsewhereDir, 'named.conf')]);
    await lab.waitForTcp(h3.host, h2.host.address, 53, 30_000);
    await h1.cli('module', 'configure', 'dnsservices', `forwarders=${h2.host.address}`);
    // h3's own address is inside clientSubnets (the test before): h1 recurses for it, through h2.
    const answer = await eventually(`www.${ELSEWHERE} through h1`, 30_000, async () => {
      const found = await short('-b', h3.host.address, '+recurse', `www.${ELSEWHERE}`, 'A');
      return found.length > 0 ? found : undefined;
    }, 500);
    assert.deepEqual(answer, [ELSEWHERE_ADDRESS], 'not SERVFAIL for a chain of trust the root cannot give');
  });
});
