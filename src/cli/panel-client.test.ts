import assert from 'node:assert/strict';
import { test } from 'node:test';

import { localeLanguage } from './panel-client.ts';

test('the CLI asks for the language of the locale variables, LC_ALL first', () => {
  assert.equal(localeLanguage({ LANG: 'ca_ES.UTF-8' }), 'ca');
  assert.equal(localeLanguage({ LANG: 'en_GB.UTF-8', LC_MESSAGES: 'es_ES.UTF-8' }), 'es');
  assert.equal(localeLanguage({ LANG: 'es_ES.UTF-8', LC_MESSAGES: 'es_ES.UTF-8', LC_ALL: 'ca_ES@valencia' }), 'ca');
  assert.equal(localeLanguage({ LC_ALL: '', LANG: 'ca' }), 'ca');
});

test('C, POSIX or no locale at all is English', () => {
  assert.equal(localeLanguage({}), 'en');
  assert.equal(localeLanguage({ LANG: 'C.UTF-8' }), 'en');
  assert.equal(localeLanguage({ LC_ALL: 'POSIX' }), 'en');
});
