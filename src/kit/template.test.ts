// Placeholder expansion of manifest templates and the path containment check.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { expandTemplate, isInside, TemplateError } from './template.ts';

const values = { root: '/tmp/node1', paths: { home: '/var/lib/x' }, config: { port: 22000, name: 'n1', nested: { a: 1 } }, secrets: { apiKey: 's3cret' } };

test('placeholders are filled from declared paths, config and secrets', () => {
  assert.equal(expandTemplate('--home={path:home}/config', values), '--home=/tmp/node1/var/lib/x/config');
  assert.equal(expandTemplate('127.0.0.1:{config:port}', values), '127.0.0.1:22000');
  assert.equal(expandTemplate('{secret:apiKey}', values), 's3cret');
  assert.equal(expandTemplate('no placeholders', values), 'no placeholders');
});

test('an unknown or non-scalar placeholder is an error, never an empty string', () => {
  assert.throws(() => expandTemplate('{path:etc}', values), TemplateError);
  assert.throws(() => expandTemplate('{config:missing}', values), TemplateError);
  assert.throws(() => expandTemplate('{config:nested}', values), TemplateError);
  assert.throws(() => expandTemplate('{secret:other}', values), TemplateError);
});

test('the node’s ports fill {node:…} only where cloudyd gives them (publish records), never as an empty string', () => {
  assert.equal(expandTemplate('{node:httpPort}', { ...values, node: { httpPort: 7000, httpsPort: 7443 } }), '7000');
  assert.equal(expandTemplate('{node:httpsPort}', { ...values, node: { httpPort: 7000, httpsPort: 7443 } }), '7443');
  assert.throws(() => expandTemplate('{node:httpPort}', values), TemplateError);
  assert.throws(() => expandTemplate('{node:root}', { ...values, node: { httpPort: 7000, httpsPort: 7443 } }), TemplateError);
});

test('isInside resolves .. before deciding', () => {
  assert.equal(isInside('/srv/a', '/srv/a'), true);
  assert.equal(isInside('/srv/a', '/srv/a/b/c'), true);
  assert.equal(isInside('/srv/a', '/srv/a/../b'), false);
  assert.equal(isInside('/srv/a', '/srv/ab'), false);
  assert.equal(isInside('/srv/a', '/etc'), false);
});
