// The panel's reading of module schemas: field kinds, choices from enum or a TypeBox Union of Literals.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Type } from '@sinclair/typebox';

import { configFields, toConfigValues, toFormValues } from './config-schema.ts';

const schema = Type.Object({
  name: Type.String({ title: 'Name', default: 'n' }),
  port: Type.Integer({ minimum: 1024, maximum: 65535 }),
  enabled: Type.Boolean(),
  cipher: Type.Union([Type.Literal('aes-256-cbc'), Type.Literal('blowfish')], { title: 'Cipher' }),
  mode: Type.Unsafe<string>({ type: 'string', enum: ['router', 'switch'] }),
  peers: Type.Array(Type.String()),
  routes: Type.Array(Type.Object({ to: Type.String() })),
});

test('each property becomes the right kind of field; a list of strings is one text, other arrays are left out', () => {
  const fields = configFields(schema);
  assert.deepEqual(fields.map((field) => [field.name, field.kind]), [['name', 'text'], ['port', 'integer'], ['enabled', 'boolean'], ['cipher', 'choice'], ['mode', 'choice'], ['peers', 'list']]);
  assert.deepEqual(fields.find((field) => field.name === 'cipher')!.choices, ['aes-256-cbc', 'blowfish']);
  assert.equal(fields.find((field) => field.name === 'port')!.maximum, 65535);
});

test('form values go back typed; a bad number goes as null so the server names the field', () => {
  const fields = configFields(schema);
  const config = { name: 'a', port: 2000, enabled: true, cipher: 'blowfish', mode: 'switch', peers: ['x'] };
  const values = toFormValues(fields, config);
  assert.equal(values.cipher, '1');
  assert.deepEqual(toConfigValues(fields, { ...values, port: '70000' }, config), { ...config, port: 70000 });
  assert.equal(toConfigValues(fields, { ...values, port: '12a' }, config).port, null);
  assert.equal(toConfigValues(fields, { ...values, cipher: '0' }, config).cipher, 'aes-256-cbc');
});

test('a list of strings is written and read as a, b, c', () => {
  const fields = configFields(schema);
  const values = toFormValues(fields, { peers: ['x', 'y'] });
  assert.equal(values.peers, 'x, y');
  assert.deepEqual(toConfigValues(fields, { ...values, peers: ' a,b ,, c ' }, {}).peers, ['a', 'b', 'c']);
  assert.deepEqual(toConfigValues(fields, { ...values, peers: '' }, {}).peers, []);
});
