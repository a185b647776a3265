import assert from 'node:assert/strict';
import { test } from 'node:test';

import Fastify from 'fastify';

import { compileAll, lazySchemaCompilers } from './lazy-schema-compilers.ts';

const body = { type: 'object', required: ['name'], additionalProperties: false, properties: { name: { type: 'string', minLength: 2 } } };
const reply = { 200: { type: 'object', properties: { greeting: { type: 'string' } } } };

async function app() {
  const fastify = Fastify({ schemaController: { compilersFactory: lazySchemaCompilers }, ajv: { customOptions: { removeAdditional: false, allErrors: true } } });
  // The serializer drops what the reply schema does not name: proof that the compiled one ran.
  fastify.post('/hello', { schema: { body, response: reply } }, async (request) => ({ greeting: `hi ${(request.body as { name: string }).name}`, secret: 'x' }));
  await fastify.ready();
  return fastify;
}

test('nothing compiles before a request; the first request validates and serializes as Fastify would', async () => {
  const fastify = await app();
  try {
    const ok = await fastify.inject({ method: 'POST', url: '/hello', payload: { name: 'Ada' } });
    assert.equal(ok.statusCode, 200);
    assert.deepEqual(ok.json(), { greeting: 'hi Ada' });
    const bad = await fastify.inject({ method: 'POST', url: '/hello', payload: { name: 'A', extra: 1 } });
    assert.equal(bad.statusCode, 400);
    const { message } = bad.json() as { message: string };
    assert.match(message, /must NOT have fewer than 2 characters|must NOT have additional properties/);
  } finally {
    await fastify.close();
  }
});

test('compileAll compiles what no request has needed yet, and a schema that cannot compile fails there', async () => {
  const fastify = Fastify({ schemaController: { compilersFactory: lazySchemaCompilers } });
  fastify.post('/broken', { schema: { body: { type: 'object', properties: { when: { type: 'string', format: 'no-such-format' } } } } }, async () => ({}));
  await fastify.ready();
  try {
    assert.throws(() => compileAll(), /no-such-format/);
    assert.equal(compileAll(), 0, 'each compilation runs once');
  } finally {
    await fastify.close();
  }
});
