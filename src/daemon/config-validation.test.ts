// Module config validation: defaults, CLI text values, per-field sentences, declared paths.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { syncthingManifest } from '../modules/syncthing/manifest.ts';
import { ApiError } from './api-error.ts';
import { defaultConfig, validateModuleConfig } from './config-validation.ts';

const validate = (submitted: Record<string, unknown>) => validateModuleConfig(syncthingManifest, {}, submitted, '/tmp/node');

function fieldErrors(submitted: Record<string, unknown>): Record<string, string> {
  try {
    validate(submitted);
  } catch (error) {
    assert.ok(error instanceof ApiError);
    assert.equal(error.statusCode, 400);
    return error.fields ?? {};
  }
  assert.fail('expected a validation error');
}

test('defaults fill what is not submitted', () => {
  const config = validate({ deviceName: 'my node' });
  assert.equal(config.deviceName, 'my node');
  assert.equal(config.listenPort, 22000);
  assert.deepEqual(defaultConfig(syncthingManifest).globalDiscovery, false);
});

test('text from the command line is read exactly as the schema type', () => {
  assert.equal(validate({ listenPort: '22001', relays: 'true' }).listenPort, 22001);
  assert.ok(fieldErrors({ listenPort: '22001x' }).listenPort);
  assert.ok(fieldErrors({ listenPort: 1.5 }).listenPort, 'no silent rounding');
  assert.ok(fieldErrors({ relays: 'yes' }).relays);
});

test('each bad field gets its own sentence naming the field', () => {
  const fields = fieldErrors({ deviceName: '$(reboot)', listenPort: 80, sharedFolderPath: '/etc', bogus: 1 });
  assert.match(fields.deviceName!, /^Device name /);
  assert.match(fields.listenPort!, /^Sync port must be a whole number from 1024 to 65535\.$/);
  assert.match(fields.sharedFolderPath!, /^Shared folder /);
  assert.match(fields.bogus!, /not a setting/);
  assert.match(fieldErrors({ deviceName: 'x'.repeat(100) }).deviceName!, /at most 63 characters/);
});

test('a choice field names the allowed values', async () => {
  const { Type } = await import('@sinclair/typebox');
  const { defineManifest } = await import('../kit/manifest.ts');
  const manifest = defineManifest({ ...syncthingManifest, configSchema: Type.Object({ mode: Type.Union([Type.Literal('router'), Type.Literal('switch')], { title: 'Mode', default: 'router' }) }, { additionalProperties: false }), pathConfigKeys: {} });
  assert.equal(validateModuleConfig(manifest, {}, { mode: 'switch' }, '/tmp/node').mode, 'switch');
  try {
    validateModuleConfig(manifest, {}, { mode: 'hub' }, '/tmp/node');
    assert.fail('hub is not a mode');
  } catch (error) {
    assert.equal((error as ApiError).fields?.mode, 'Mode must be one of: router, switch.');
  }
});

test('a Catalan reader gets the sentences and the field titles in Catalan', async () => {
  const { localizedSchema } = await import('./module-texts.ts');
  const { syncthingTranslations } = await import('../modules/syncthing/translations.ts');
  const wording = localizedSchema(syncthingManifest.configSchema, syncthingTranslations, 'ca');
  try {
    validateModuleConfig(syncthingManifest, {}, { listenPort: 80, sharedFolderPath: '/srv/cloudy/syncthing/../../etc', deviceName: '' }, '/tmp/node', { language: 'ca', wording });
    assert.fail('expected a validation error');
  } catch (error) {
    assert.ok(error instanceof ApiError);
    assert.equal(error.message, 'Alguns paràmetres no són vàlids; no s’ha desat res.');
    assert.equal(error.fields?.listenPort, 'Port de sincronització ha de ser un nombre enter de 1024 a 65535.');
    assert.equal(error.fields?.deviceName, 'Nom del dispositiu no pot estar buit.');
    assert.match(error.fields?.sharedFolderPath ?? '', /^Carpeta compartida /);
  }
});
