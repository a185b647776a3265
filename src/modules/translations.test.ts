// Every shipped module speaks every panel language: a missing, empty or stale key fails here.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { translationProblems } from '../kit/module-translations.ts';
import { cloudyModules } from './index.ts';

for (const { manifest, translations } of cloudyModules) {
  test(`${manifest.id} is translated into every panel language`, () => {
    assert.deepEqual(translationProblems(manifest.id, translations), []);
  });
}
