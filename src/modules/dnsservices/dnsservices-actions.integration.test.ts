// DNSServices' root actions through a real system door (as the helper runs them): a refused candidate never replaces
// the configuration and zone in use, unchanged input writes nothing, and the serial grows with every change.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';

import { moduleActions } from '../../../test/support/module-actions.ts';
import type { PrivilegedAction } from '../../kit/privileged-action.ts';
import { dnsservicesManifest } from './manifest.ts';
import { dnsservicesActions } from './privileged.ts';

const root = mkdtempSync(path.join(os.tmpdir(), 'dnsservices-actions-'));
chmodSync(root, 0o755);
after(() => rmSync(root, { recursive: true, force: true }));
const actions = moduleActions(root, dnsservicesManifest, dnsservicesActions as PrivilegedAction[]);
const call = (name: string, args: Record<string, unknown> = {}) => actions.call<any>(name, args);

const settings = { port: 53, clientSubnets: ['10.0.0.0/8'], forwarders: [] };
const write = (overrides: Record<string, unknown> = {}) =>
  call('dnsservices.writeConfig', { settings, zone: 'lab.internal', self: { node: 'h1', address: '10.1.0.1' }, services: [], ...overrides });
const configDir = path.join(root, dnsservicesManifest.paths.config);
const inUse = () => [readFileSync(path.join(configDir, 'named.conf'), 'utf8'), readFileSync(path.join(configDir, 'zones/community.zone'), 'utf8')];

test('a refused configuration leaves the one in use; unchanged input writes nothing; serials grow', async () => {
  await call('dnsservices.prepareHome');
  const first = await write();
  assert.equal(first.changed, true);
  assert.equal((await write()).changed, false, 'the same input again');
  const before = inUse();
  // A network with host bits set (checkConfig refuses it first in cloudyd): named-checkconf refuses the candidate.
  await assert.rejects(write({ settings: { ...settings, clientSubnets: ['10.1.2.3/8'] } }), /named-checkconf refused the new configuration, the one in use is unchanged/);
  assert.deepEqual(inUse(), before);
  assert.deepEqual((await call('dnsservices.checkConfig')).accepted, true);
  const second = await write({ services: [{ type: 'webdav', description: 'Files', node: 'h2', address: '10.1.0.2', port: 8443, txt: {} }] });
  assert.equal(second.changed, true);
  assert.ok(second.serial > first.serial, `${second.serial} > ${first.serial}`);
  assert.match(inUse()[1]!, /^h2 IN A 10\.1\.0\.2$/m);
  assert.match(inUse()[0]!, /zone "10\.in-addr\.arpa"/, 'the reverse zone of 10.0.0.0/8');
});
