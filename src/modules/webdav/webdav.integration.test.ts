// WebDAV through a real node: the generic module suite, shares and users managed through the API and the CLI, litmus
// against a share the node configured, and the upload limit changed live.
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

import { freePort, repoDir } from '../../../test/support/cloudy-node.ts';
import { systemAccount } from '../../../test/support/module-lifecycle.ts';
import { moduleLifecycleSuite, type SuiteContext } from '../../../test/support/module-lifecycle-suite.ts';
import { webdavManifest } from './manifest.ts';
import { webdavTranslations } from './translations.ts';
import { webdavLayout } from './webdav-layout.ts';

const run = promisify(execFile);
const PASSWORDS = { alice: 'alice-password', bob: 'bob-password!' };
let port = 0;

async function curl(args: string[]): Promise<number> {
  const { stdout } = await run('curl', ['-sk', '-o', '/dev/null', '-w', '%{http_code}', ...args], { timeout: 30_000 });
  return Number(stdout);
}

const as = (user: keyof typeof PASSWORDS) => ['-u', `${user}:${PASSWORDS[user]}`];

/** The CLI as an owner uses it; the password goes on standard input. */
function cloudy(context: SuiteContext, args: string[], input?: string) {
  return spawnSync('bin/cloudy', ['--root', context.node.root, ...args], { cwd: repoDir, encoding: 'utf8', input, timeout: 120_000 });
}

async function waitForOperation(context: SuiteContext, operationId: string | null): Promise<void> {
  if (operationId !== null) assert.equal((await context.session.waitForOperation(operationId)).state, 'completed');
}

moduleLifecycleSuite({
  manifest: webdavManifest,
  translations: webdavTranslations,
  async settings() {
    port = await freePort();
    return { port, uploadLimitMiB: 64 };
  },
  async whileRunning(context) {
    const items = '/api/modules/webdav/collections';
    // Users and shares through the API, as the panel adds them.
    for (const [name, password] of Object.entries(PASSWORDS)) {
      const reply = await context.session.request('PUT', `${items}/users/${name}`, { values: {}, password });
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      assert.equal(reply.body.item.hasPassword, true);
      await waitForOperation(context, reply.body.operationId);
    }
    const docs = await context.session.request('PUT', `${items}/shares/docs`, { values: { readWriteUsers: 'alice', readOnlyUsers: ['bob'] } });
    assert.equal(docs.status, 200, JSON.stringify(docs.body));
    assert.deepEqual(docs.body.item.values, { name: 'docs', readWriteUsers: ['alice'], readOnlyUsers: ['bob'], public: false });
    await waitForOperation(context, docs.body.operationId);
    // A share naming someone who is not a user is refused on that field, and not stored.
    const unknown = await context.session.request('PUT', `${items}/shares/other`, { values: { readWriteUsers: ['mallory'] } });
    assert.equal(unknown.status, 400);
    assert.match(unknown.body.fields.readWriteUsers, /mallory/);
    assert.equal((await context.session.request('GET', `${items}/shares`)).body.length, 1);
    // Only a hash is kept, and never shown.
    assert.ok(!JSON.stringify((await context.session.request('GET', `${items}/users`)).body).includes('$2y$'));

    const layout = webdavLayout(context.node.root);
    assert.equal(statSync(path.join(layout.sharesDir, 'docs')).uid, systemAccount('cloudy-webdav').uid, 'the share folder is the module user’s');
    assert.equal(statSync(layout.usersFile).mode & 0o777, 0o600);

    const base = `https://127.0.0.1:${port}`;
    assert.equal(await curl(['-X', 'PROPFIND', '-H', 'Depth: 0', `${base}/docs/`]), 401, 'anonymous');
    assert.equal(await curl([...as('alice'), '-T', '/etc/hostname', `${base}/docs/hello.txt`]), 201, 'alice writes');
    assert.equal(await curl([...as('bob'), `${base}/docs/hello.txt`]), 200, 'bob reads');
    assert.equal(await curl([...as('bob'), '-T', '/etc/hostname', `${base}/docs/bob.txt`]), 403, 'bob may not write');

    // The CLI: a user added with the password on standard input, never in argv; a share; the list.
    const added = cloudy(context, ['webdav', 'user', 'add', 'carol'], 'carol-password\n');
    assert.equal(added.status, 0, added.stderr);
    assert.equal(cloudy(context, ['webdav', 'share', 'add', 'pub', 'readWriteUsers=carol', 'public=true']).status, 0);
    const shares = JSON.parse(cloudy(context, ['--json', 'webdav', 'share', 'list']).stdout) as Array<{ key: string; values: { public: boolean } }>;
    assert.deepEqual(shares.map((share) => [share.key, share.values.public]), [['docs', false], ['pub', true]]);
    assert.equal(await curl(['-u', 'carol:carol-password', '-T', '/etc/hostname', `${base}/pub/carol.txt`]), 201, 'carol writes her share');
    assert.equal(await curl([`${base}/pub/carol.txt`]), 200, 'anyone reads a public share');
    // A name no share may have is refused on the name, not on the URL it would have made.
    const badName = cloudy(context, ['webdav', 'share', 'add', 'My Photos']);
    assert.equal(badName.status, 1);
    assert.match(badName.stderr, /\n {2}name: Name contains characters or a form that is not allowed/);
    const again = cloudy(context, ['webdav', 'user', 'add', 'carol'], 'whatever-password\n');
    assert.equal(again.status, 1);
    assert.match(again.stderr, /exists already/);
    assert.equal(cloudy(context, ['webdav', 'user', 'passwd', 'carol'], 'carol-second-password\n').status, 0);
    // Writing needs the password (reading a public share does not).
    assert.equal(await curl(['-u', 'carol:carol-password', '-T', '/etc/hostname', `${base}/pub/again.txt`]), 401, 'the old password is gone at once');
    assert.equal(await curl(['-u', 'carol:carol-second-password', '-T', '/etc/hostname', `${base}/pub/again.txt`]), 201, 'the new one works');
    // On a private share she has no right to, a known user gets 403; once removed, she is not known at all: 401.
    const carolOnDocs = () => curl(['-u', 'carol:carol-second-password', '-X', 'PROPFIND', '-H', 'Depth: 0', `${base}/docs/`]);
    assert.equal(await carolOnDocs(), 403);
    assert.equal(cloudy(context, ['webdav', 'user', 'remove', 'carol']).status, 0);
    assert.equal(await carolOnDocs(), 401, 'a removed user is refused');
    assert.deepEqual((await context.session.request('GET', `${items}/shares`)).body.find((share: { key: string }) => share.key === 'pub').values.readWriteUsers, [], 'and taken out of the shares');

    // The discovery record points at the public share.
    const published = (await context.session.request('GET', '/api/discovery/publications')).body as Array<{ origin: string; txt: Record<string, string> }>;
    assert.equal(published.find((record) => record.origin === 'webdav')?.txt.path, '/pub', JSON.stringify(published));

    // Search shows, on the record, how to open the share from each kind of computer.
    let views: Array<{ state: string; instructions: Array<{ value: string }> }> = [];
    for (const deadline = Date.now() + 30_000; Date.now() < deadline && !views.some((view) => view.state === 'show'); await new Promise((resolve) => setTimeout(resolve, 500))) {
      views = (await context.session.request('GET', '/api/discovery/actions?type=webdav')).body;
    }
    const lines = views.find((view) => view.state === 'show')?.instructions.map((line) => line.value) ?? [];
    assert.ok(lines.some((line) => new RegExp(`^davs://[^/]+:${port}/pub/$`).test(line)), JSON.stringify(views));
    assert.ok(lines.some((line) => new RegExp(`^mount -t davfs https://[^/]+:${port}/pub/ /mnt/webdav$`).test(line)));

    // The WebDAV conformance suite against the share the node configured.
    const litmus = await run('litmus', [`${base}/docs/`, 'alice', PASSWORDS.alice], { timeout: 240_000 }).catch((error: { stdout: string }) => error);
    for (const group of ['basic', 'copymove', 'props', 'locks', 'http']) {
      assert.match(litmus.stdout, new RegExp(`summary for \`${group}': of \\d+ tests run: \\d+ passed, 0 failed`), `${group}\n${litmus.stdout}`);
    }
  },
  liveChange: {
    values: { uploadLimitMiB: 1 },
    async verify(context) {
      const pid = (await context.detail()).state.daemons[0].pid;
      const big = path.join(context.node.root, 'big.bin');
      await run('dd', ['if=/dev/zero', `of=${big}`, 'bs=1024', 'count=1536'], { timeout: 30_000 });
      const base = `https://127.0.0.1:${port}`;
      let status = 0;
      for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 200))) {
        if ((status = await curl([...as('alice'), '-T', big, `${base}/docs/big.bin`])) === 413) break;
      }
      assert.equal(status, 413, 'the new limit holds');
      assert.equal((await context.detail()).state.daemons[0].pid, pid, 'applied by a graceful reload, not a restart');
    },
  },
});
