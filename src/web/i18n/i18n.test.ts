// Checks that every language has exactly the English keys, no empty message and the same placeholders.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { ca } from './ca.ts';
import { en } from './en.ts';
import { es } from './es.ts';

const placeholders = (message: string): string[] => [...message.matchAll(/\{(\w+)\}/g)].map((match) => match[1] ?? '').sort();

for (const [language, messages] of Object.entries({ ca, es })) {
  test(`${language} has exactly the keys of en`, () => {
    assert.deepEqual(Object.keys(messages).sort(), Object.keys(en).sort());
  });

  test(`${language} has no empty message`, () => {
    const empty = Object.entries(messages).filter(([, message]) => message.trim() === '');
    assert.deepEqual(empty, []);
  });

  test(`${language} keeps the placeholders of en`, () => {
    for (const [key, message] of Object.entries(messages)) {
      assert.deepEqual(placeholders(message), placeholders(en[key as keyof typeof en]), `placeholders of ${key}`);
    }
  });
}

test('en has no empty message', () => {
  assert.deepEqual(Object.entries(en).filter(([, message]) => message.trim() === ''), []);
});
