import assert from 'node:assert/strict';
import { test } from 'node:test';

import { acceptedLanguage } from './request-language.ts';

test('Accept-Language picks the best of the panel languages by quality, then order', () => {
  assert.equal(acceptedLanguage('ca-ES,ca;q=0.9,en;q=0.8'), 'ca');
  assert.equal(acceptedLanguage('fr-FR, es;q=0.5, en;q=0.4'), 'es');
  assert.equal(acceptedLanguage('en;q=0.2, ca;q=0.7'), 'ca');
  assert.equal(acceptedLanguage('es, ca'), 'es');
  assert.equal(acceptedLanguage('CA'), 'ca');
});

test('no usable Accept-Language means English', () => {
  assert.equal(acceptedLanguage(undefined), 'en');
  assert.equal(acceptedLanguage(''), 'en');
  assert.equal(acceptedLanguage('fr, de;q=0.9'), 'en');
  assert.equal(acceptedLanguage('ca;q=0'), 'en');
  assert.equal(acceptedLanguage('ca;q=banana, es;q=0.1'), 'ca');
});
