// A checkout only root can read (e.g. cloned under /root) still runs: cloudyd starts as root, then drops to cloudy.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';

import { repoDir, startCloudyNode, type StartedNode } from '../support/cloudy-node.ts';
import { systemAccount } from '../support/module-lifecycle.ts';
import { PanelSession } from '../support/panel-session.ts';

const privateParent = mkdtempSync(path.join(os.tmpdir(), 'cloudy-private-'));
let node: StartedNode | undefined;
after(async () => {
  await node?.stop();
  rmSync(privateParent, { recursive: true, force: true });
});

const checkout = path.join(privateParent, 'cloudy');
for (const part of ['package.json', 'bin', 'src', 'node_modules', 'dist']) cpSync(path.join(repoDir, part), path.join(checkout, part), { recursive: true, verbatimSymlinks: true });

// Both ways a checkout runs: the sources through tsx (the tests) and the production build (`npm start`), whose
// bundles must not load a chunk after cloudyd has dropped to a user that cannot read the checkout.
for (const built of [false, true]) test(`a node runs from a checkout inside a root-only directory (${built ? 'production build' : 'sources through tsx'})`, async () => {
  assert.equal(statSync(privateParent).mode & 0o777, 0o700);
  await node?.stop();
  node = await startCloudyNode({ checkout, built });

  const session = new PanelSession(node.baseUrl);
  assert.equal((await session.setup(node.setupCode())).status, 200);
  for (const route of ['/api/node', '/api/modules', '/api/modules/syncthing', '/api/openapi.json', '/']) {
    assert.equal((await session.request('GET', route)).status, 200, route);
  }
  assert.equal((await session.request('PUT', '/api/modules/syncthing/config', { values: { listenPort: 'x' } })).status, 400);

  const cloudydPid = node.state().cloudydPid!;
  const uid = Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${cloudydPid}/status`, 'utf8'))![1]);
  assert.equal(uid, systemAccount('cloudy').uid, 'cloudyd serves as user cloudy');
  assert.equal(statSync(path.join(node.root, 'var/lib/cloudy/cloudy.db')).uid, uid, 'its database belongs to cloudy');
  assert.doesNotMatch(node.output(), /ERR_MODULE_NOT_FOUND|EACCES/);
});
