import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Type } from '@sinclair/typebox';

import { defineManifest } from './manifest.ts';
import { defineTranslations, manifestTexts, translationProblems } from './module-translations.ts';

const manifest = defineManifest({
  id: 'sample',
  version: 1,
  title: 'Sample',
  description: 'A sample module.',
  category: 'web',
  packages: [],
  systemUsers: [],
  paths: {},
  daemons: [],
  configSchema: Type.Object({ port: Type.Integer({ title: 'Port', description: 'Where it listens.', default: 1 }), flag: Type.Boolean({ default: false }) }),
  secrets: [],
  publish: [],
  consume: [],
  backupPaths: [],
  diagnostics: [{ checkId: 'sample-up', description: 'It answers' }],
});

const complete = {
  title: 'Mostra',
  description: 'Un mòdul de mostra.',
  'setting.port.title': 'Port',
  'setting.port.description': 'On escolta.',
  'check.sample-up': 'Respon',
  'detail.items': '{count} elements',
};

test('the manifest gives the English of its title, description, settings and checks', () => {
  assert.deepEqual(manifestTexts(manifest), {
    title: 'Sample',
    description: 'A sample module.',
    'setting.port.title': 'Port',
    'setting.port.description': 'Where it listens.',
    'check.sample-up': 'It answers',
  });
});

test('a complete catalogue has no problems and gives run-time words in every language', () => {
  const words = defineTranslations(manifest, { en: { 'detail.items': '{count} items' }, ca: complete, es: { ...complete, title: 'Muestra' } });
  assert.deepEqual(translationProblems('sample', words), []);
  assert.deepEqual(words.text('detail.items', { count: 3 }), { en: '3 items', ca: '3 elements', es: '3 elements' });
});

test('a missing, empty or extra key and different placeholders are each reported', () => {
  const { 'check.sample-up': _missing, ...withoutCheck } = complete;
  const words = defineTranslations(manifest, {
    en: { 'detail.items': '{count} items' },
    ca: { ...withoutCheck, title: ' ', 'detail.stale': 'vell' },
    es: { ...complete, 'detail.items': '{total} elementos' },
  });
  assert.deepEqual(translationProblems('sample', words).sort(), [
    'sample: "check.sample-up" has no ca translation',
    'sample: "detail.items" in es has placeholders {total}, English has {count}',
    'sample: "detail.stale" in ca is not a key of the manifest or of the English catalogue',
    'sample: "title" is empty in ca',
  ]);
});
