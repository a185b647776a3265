// Hostile input in every form field: a clear message on that field, nothing stored, nothing run as root.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { moduleManifests } from '../../src/modules/index.ts';
import { nodeLayout } from '../../src/shared/node-layout.ts';
import { nodeWithAdminForFile } from '../support/cloudy-node.ts';

const HOSTILE = ['; rm -rf / #', '$(reboot)', '`id`', '../../../etc/shadow', 'A'.repeat(10 * 1024), '<script>alert(1)</script>', "x' OR '1'='1", 'a\nb', '\u0000'];
/** Read-only helper calls the panel makes all the time; anything else in the audit log means something ran. */
const READ_ONLY = /» (packages\.status|daemons\.status|daemons\.logs|helper\.ping)\(/;

const given = nodeWithAdminForFile();

const changingAuditLines = () =>
  readFileSync(nodeLayout(given.node.root).auditLogFile, 'utf8')
    .trim()
    .split('\n')
    .filter((line) => !READ_ONLY.test(line));

for (const manifest of moduleManifests) {
  test(`${manifest.id}: every setting refuses hostile values with a message on that field`, async () => {
    const settingsPath = `/api/modules/${manifest.id}/config`;
    const original = (await given.session.request('GET', `/api/modules/${manifest.id}`)).body.config;
    const auditBefore = changingAuditLines();
    const properties = manifest.configSchema.properties as unknown as Record<string, { type?: string; writeOnly?: boolean; maxLength?: number }>;
    for (const [field, { type, writeOnly, maxLength }] of Object.entries(properties)) {
      const typed = type === 'integer' ? [99_999_999, -1, 1.5, '22000; reboot'] : type === 'boolean' ? ['yes', 2] : [];
      // A list field takes a list (or a,b text): a list of one fine name is fine; hostile items inside one are not.
      const shapes = type === 'array' ? [['ok', '; reboot'], [{ nested: true }], { nested: true }] : [{ nested: true }, ['list']];
      // A password may hold any printable character: those are kept, never shown; control characters and length are not.
      const printableSecret = (value: unknown) => writeOnly === true && typeof value === 'string' && !/[\x00-\x1f\x7f]/.test(value) && value.length <= (maxLength ?? 0);
      for (const value of [...HOSTILE, ...typed, ...shapes]) {
        if (printableSecret(value)) {
          const kept = await given.session.request('PUT', settingsPath, { values: { [field]: value } });
          assert.equal(kept.status, 200, `${field}: a printable password is a password`);
          assert.equal(kept.body.config[field], '', `${field}: never shown back`);
          continue;
        }
        const reply = await given.session.request('PUT', settingsPath, { values: { [field]: value } });
        assert.equal(reply.status, 400, `${field} = ${JSON.stringify(value).slice(0, 40)} was accepted`);
        assert.equal(typeof reply.body.fields?.[field], 'string', `${field}: the message names the field`);
        assert.ok(reply.body.fields[field].length < 300, `${field}: the message is a sentence, not an echo of the input`);
        assert.ok(!reply.body.fields[field].includes('<script>'), `${field}: the input is not echoed back`);
      }
    }
    const unknown = await given.session.request('PUT', settingsPath, { values: { '__proto__x': 1 } });
    assert.equal(unknown.status, 400);
    assert.ok(unknown.body.fields.__proto__x);

    assert.deepEqual((await given.session.request('GET', `/api/modules/${manifest.id}`)).body.config, original, 'nothing was stored');
    assert.deepEqual(changingAuditLines(), auditBefore, 'nothing ran as root');
  });
}

for (const manifest of moduleManifests) {
  for (const [name, collection] of Object.entries(manifest.collections ?? {})) {
    test(`${manifest.id}: every field of a new ${collection.noun} refuses hostile values with a message on that field`, async () => {
      const base = `/api/modules/${manifest.id}/collections/${name}`;
      const auditBefore = changingAuditLines();
      // A valid item but for the one hostile value, so the message is about that value.
      const password = collection.password ? { password: 'a good password' } : {};
      const properties = collection.itemSchema.properties as unknown as Record<string, { type?: string }>;
      for (const [field, { type }] of Object.entries(properties)) {
        const typed = type === 'boolean' ? ['yes', 2] : type === 'array' ? [['ok', '; reboot'], [{ nested: true }]] : [];
        for (const value of [...HOSTILE, ...typed, { nested: true }]) {
          const reply = await given.session.request('PUT', `${base}/probe`, { values: { [field]: value }, ...password });
          assert.equal(reply.status, 400, `${field} = ${JSON.stringify(value).slice(0, 40)} was accepted`);
          assert.equal(typeof reply.body.fields?.[field], 'string', `${field}: the message names the field (${JSON.stringify(reply.body)})`);
          assert.ok(!reply.body.fields[field].includes('<script>'), `${field}: the input is not echoed back`);
        }
      }
      if (collection.password) {
        for (const hostile of ['short', 'line\nbreak here', 'x'.repeat(73), 'é'.repeat(40), '\u0000'.repeat(9)]) {
          const reply = await given.session.request('PUT', `${base}/probe`, { values: {}, password: hostile });
          assert.equal(reply.status, 400, `password ${JSON.stringify(hostile).slice(0, 20)} was accepted`);
          assert.equal(typeof reply.body.fields?.password, 'string');
        }
        const without = await given.session.request('PUT', `${base}/probe`, { values: {} });
        assert.equal(typeof without.body.fields?.password, 'string', 'a new item needs a password');
      }
      for (const key of ['..', 'a b', '%0Aid', 'x'.repeat(100)]) {
        const reply = await given.session.request('PUT', `${base}/${encodeURIComponent(key)}`, { values: {}, ...password });
        assert.ok([400, 404].includes(reply.status), `the name ${JSON.stringify(key)} was accepted`);
      }
      assert.deepEqual((await given.session.request('GET', base)).body, [], 'nothing was stored');
      assert.deepEqual(changingAuditLines(), auditBefore, 'nothing ran as root');
    });
  }
}

test('node and account forms refuse hostile values per field', async () => {
  const auditBefore = changingAuditLines();
  const cases: Array<{ method: string; path: string; field: string; body: (value: unknown) => unknown }> = [
    { method: 'PUT', path: '/api/node/hostname', field: 'hostname', body: (value) => ({ hostname: value }) },
    { method: 'PUT', path: '/api/account/language', field: 'language', body: (value) => ({ language: value }) },
    { method: 'PUT', path: '/api/account/password', field: 'newPassword', body: (value) => ({ currentPassword: 'correct horse battery', newPassword: typeof value === 'string' && value.length > 8 && value.length < 256 ? 42 : value }) },
  ];
  for (const { method, path, field, body } of cases) {
    for (const value of HOSTILE) {
      const reply = await given.session.request(method, path, body(value));
      assert.equal(reply.status, 400, `${path} ${field} = ${JSON.stringify(value).slice(0, 40)}`);
      assert.equal(typeof reply.body.fields?.[field], 'string', `${path}: message on ${field}`);
    }
  }
  const extra = await given.session.request('PUT', '/api/node/hostname', { hostname: 'ok', command: 'id' });
  assert.equal(extra.status, 400);
  assert.ok(extra.body.fields.command);
  assert.deepEqual(changingAuditLines(), auditBefore, 'no hostname was written');
  assert.equal((await given.session.request('GET', '/api/session')).status, 200, 'the password did not change');
});

test('a body over the size limit is refused before parsing', async () => {
  const reply = await given.session.request('PUT', '/api/modules/syncthing/config', { values: { deviceName: 'A'.repeat(100 * 1024) } });
  assert.equal(reply.status, 413);
  assert.equal(typeof reply.body.message, 'string');
});
