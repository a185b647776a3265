// DNSServices through a real node: the generic module suite, then dig against the running named: the zone's SOA, the
// node's own A record, DNS-SD browsing of the types discovery publishes (the module's own), a hostile published
// description that stays one escaped instance name, recursion refused to a client outside the community, and a
// settings change reloaded in place.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

import { freePort } from '../../../test/support/cloudy-node.ts';
import { moduleLifecycleSuite, type SuiteContext } from '../../../test/support/module-lifecycle-suite.ts';
import { dnsservicesManifest } from './manifest.ts';
import { dnsservicesTranslations } from './translations.ts';

const run = promisify(execFile);
let port = 0;

async function dig(...args: string[]): Promise<string> {
  const { stdout } = await run('dig', ['@127.0.0.1', '-p', String(port), '+time=2', '+tries=1', ...args], { timeout: 20_000 });
  return stdout;
}
const short = async (...args: string[]) => (await dig('+short', ...args)).trim().split('\n').filter((line) => line !== '');

/** Polls `probe` until it returns true (discovery publishes every 2 s, the module regenerates 2 s after a change). */
async function eventually(what: string, probe: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 500))) {
    if (await probe()) return;
  }
  assert.fail(`${what} within ${timeoutMs} ms`);
}

async function zoneOf(context: SuiteContext): Promise<string> {
  const detail = await context.detail();
  return detail.details.find((line: { label: string }) => line.label === 'Community zone').value;
}

moduleLifecycleSuite({
  manifest: dnsservicesManifest,
  translations: dnsservicesTranslations,
  async settings() {
    port = await freePort();
    return { port, zone: '' };
  },
  async whileRunning(context) {
    const zone = await zoneOf(context);
    assert.match(zone, /^[a-z0-9-]+\.internal$/, 'the microcloud’s zone by default');
    const [soa] = await short(zone, 'SOA');
    assert.match(soa ?? '', new RegExp(`^\\S+\\.${zone.replaceAll('.', '\\.')}\\. hostmaster\\.${zone.replaceAll('.', '\\.')}\\. \\d+ 3600 600 86400 60$`));
    // The name server is the node itself: its A record is the node's community address (the test node's 127.0.0.1).
    const [nameServer] = await short(zone, 'NS');
    assert.deepEqual(await short(nameServer!, 'A'), ['127.0.0.1']);

    // The module's own records, published by discovery once named answers, reach the zone as DNS-SD.
    await eventually('the module’s own types in _services._dns-sd._udp', async () => {
      const types = await short(`_services._dns-sd._udp.${zone}`, 'PTR');
      return types.includes(`_dnsservice._tcp.${zone}.`) && types.includes(`_dns._udp.${zone}.`);
    });
    const [instance] = await short(`_dns._udp.${zone}`, 'PTR');
    assert.equal(instance, `Community\\032DNS._dns._udp.${zone}.`);
    assert.deepEqual(await short(instance!, 'SRV'), [`0 0 ${port} ${nameServer}`]);
    assert.deepEqual(await short(instance!, 'TXT'), [`"zone=${zone}"`]);
    assert.deepEqual(await short(`b._dns-sd._udp.${zone}`, 'PTR'), [`${zone}.`]);

    // A hostile description published by hand: one instance name, escaped; the zone keeps loading.
    const hostile = 'evil"; $ORIGIN x. @ IN NS evil.';
    const published = await context.session.request('POST', '/api/discovery/publications', { type: 'hostile-test', port, description: hostile, txt: { note: 'v"; \\ x' } });
    assert.equal(published.status, 201, JSON.stringify(published.body));
    await eventually('the hand-published record in the zone', async () => (await short(`_hostile-test._tcp.${zone}`, 'PTR')).length === 1);
    const [escaped] = await short(`_hostile-test._tcp.${zone}`, 'PTR');
    // As dig prints it: one label, every special character escaped (\032 a space, \. a dot inside the label).
    assert.equal(escaped, String.raw`evil\"\;\032\$ORIGIN\032x\.\032\@\032IN\032NS\032evil\.` + `._hostile-test._tcp.${zone}.`);
    assert.equal((await short(zone, 'NS')).length, 1, 'no name server injected');
    assert.equal((await context.session.request('DELETE', `/api/discovery/publications/hostile-test/${port}`)).status, 204);

    // Recursion: a client outside the community networks (127.0.0.2 is not this host's address) is refused.
    assert.match(await dig('-b', '127.0.0.2', 'example.com', 'A'), /status: REFUSED/);
    assert.match(await dig('-b', '127.0.0.2', zone, 'SOA'), /status: NOERROR/, 'the community zone answers anyone');
  },
  liveChange: {
    values: { forwarders: '10.90.0.1,10.90.0.2' },
    async verify(context) {
      const pid = (await context.detail()).state.daemons[0].pid;
      const config = readFileSync(path.join(context.node.root, dnsservicesManifest.paths.config, 'named.conf'), 'utf8');
      assert.match(config, /forwarders \{ 10\.90\.0\.1; 10\.90\.0\.2; \};/);
      const zone = await zoneOf(context);
      assert.equal((await short(zone, 'SOA')).length, 1);
      assert.equal((await context.detail()).state.daemons[0].pid, pid, 'named reloaded in place');
    },
  },
});
