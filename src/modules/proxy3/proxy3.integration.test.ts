// Proxy3 through a real node: the generic module suite, proxy users managed through the API and the CLI, login and
// blocked ranges answered by the running squid, the PAC file on both of the node's ports, federation in the record.
// Fetching pages through proxies that chain and federate is the lab test's (test/lab/proxy3.lab.test.ts).
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

import { freePort, repoDir } from '../../../test/support/cloudy-node.ts';
import { moduleLifecycleSuite, type SuiteContext } from '../../../test/support/module-lifecycle-suite.ts';
import { proxy3Manifest } from './manifest.ts';
import { proxy3Translations } from './translations.ts';

const run = promisify(execFile);
let port = 0;

/** The status squid gives a request through it (-m: a destination that does not answer must not hold the test). */
async function through(args: string[], url: string): Promise<number> {
  const { stdout } = await run('curl', ['-s', '-o', '/dev/null', '-m', '5', '-w', '%{http_code}', '-x', `http://127.0.0.1:${port}`, ...args, url], { timeout: 20_000 }).catch((error: { stdout: string }) => error);
  return Number(stdout);
}

function cloudy(context: SuiteContext, args: string[], input?: string) {
  return spawnSync('bin/cloudy', ['--root', context.node.root, ...args], { cwd: repoDir, encoding: 'utf8', input, timeout: 120_000 });
}

moduleLifecycleSuite({
  manifest: proxy3Manifest,
  translations: proxy3Translations,
  async settings() {
    port = await freePort();
    // The test's curl comes from 127.0.0.1.
    return { port, clientSubnets: ['127.0.0.0/8', '10.0.0.0/8'], cacheMemMiB: 16, errorLanguage: 'es' };
  },
  async whileRunning(context) {
    const reply = await context.session.request('PUT', '/api/modules/proxy3/collections/users/dani', { values: {}, password: 'dani-password' });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    assert.equal((await context.session.waitForOperation(reply.body.operationId)).state, 'completed');
    const passwords = path.join(context.node.root, proxy3Manifest.paths.config, 'passwords');
    assert.match(readFileSync(passwords, 'utf8'), /^dani:\$2y\$10\$[./A-Za-z0-9]{53}\n$/);
    assert.equal(statSync(passwords).mode & 0o777, 0o600);

    // A community address that does not answer (port 80: squid refuses unusual ports first): squid asks for a login
    // before it tries to reach it.
    const community = 'http://10.255.255.1/';
    assert.equal(await through([], community), 407, 'no login');
    assert.equal(await through(['-U', 'dani:wrong-password'], community), 407, 'a wrong password');
    assert.notEqual(await through(['-U', 'dani:dani-password'], community), 407, 'the right password passes the login');
    assert.equal(await through(['-U', 'dani:dani-password'], 'http://192.168.1.1/'), 403, 'a blocked range');
    assert.equal(await through(['-U', 'dani:dani-password'], `${context.node.httpUrl}/`), 403, 'the node itself');

    // The CLI, password on standard input.
    const added = cloudy(context, ['proxy3', 'user', 'add', 'eva'], 'eva-password\n');
    assert.equal(added.status, 0, added.stderr);
    assert.notEqual(await through(['-U', 'eva:eva-password'], community), 407);

    // The PAC file, on the plain HTTP port (browsers fetch it there) and over HTTPS.
    for (const url of [`${context.node.httpUrl}/proxy.pac`, `${context.node.httpUrl}/wpad.dat`]) {
      const pac = await fetch(url);
      assert.equal(pac.status, 200, url);
      assert.equal(pac.headers.get('content-type'), 'application/x-ns-proxy-autoconfig');
      const text = await pac.text();
      assert.match(text, new RegExp(`PROXY 127\\.0\\.0\\.1:${port}; DIRECT`));
      assert.match(text, /isInNet\(host, "10\.0\.0\.0", "255\.0\.0\.0"\)/, 'the community network goes direct');
    }
    assert.equal((await context.session.request('GET', '/proxy.pac')).status, 200);

    // Federation goes into the published record (the 2015 key), with the port of the PAC file.
    assert.equal((await context.session.request('PUT', '/api/modules/proxy3/config', { values: { federation: 'inout' } })).status, 200);
    type Published = Array<{ origin: string; type: string; txt: Record<string, string> }>;
    let published: Published = [];
    const federated = () => published.find((entry) => entry.origin === 'proxy3' && entry.txt.Federated !== undefined);
    // Discovery reads the modules' records again after the change is applied.
    for (const deadline = Date.now() + 20_000; Date.now() < deadline && federated()?.txt.Federated !== 'Yes'; await new Promise((resolve) => setTimeout(resolve, 250))) {
      published = (await context.session.request('GET', '/api/discovery/publications')).body;
    }
    const record = federated();
    assert.equal(record?.txt.Federated, 'Yes', JSON.stringify(published));
    assert.equal(record?.txt.pacPort, new URL(context.node.httpUrl).port);

    // A network with host bits set is refused on its field, before anything reaches squid.
    const bad = await context.session.request('PUT', '/api/modules/proxy3/config', { values: { clientSubnets: '10.1.2.3/8' } });
    assert.equal(bad.status, 400);
    assert.match(bad.body.fields.clientSubnets, /10\.1\.2\.3\/8 is not a network address/);
  },
  liveChange: {
    values: { blockedDestinations: '192.168.0.0/16,172.16.0.0/12,10.255.0.0/16' },
    async verify(context) {
      const pid = (await context.detail()).state.daemons[0].pid;
      let status = 0;
      for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 200))) {
        if ((status = await through(['-U', 'dani:dani-password'], 'http://10.255.255.1/')) === 403) break;
      }
      assert.equal(status, 403, 'the new blocked range holds');
      assert.equal((await context.detail()).state.daemons[0].pid, pid, 'squid reloaded in place');
    },
  },
});
