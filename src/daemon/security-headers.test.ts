// The security headers: which policy goes where, HSTS only over TLS, and a module UI's own headers merged with ours.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { moduleUiHeaders, securityHeaders } from './security-headers.ts';

test('the panel and the API get the strict policy; module UIs a looser one, never framable by another origin', () => {
  const panel = securityHeaders('/api/health', true);
  assert.match(panel['content-security-policy']!, /^default-src 'none';.*frame-ancestors 'none'$/);
  assert.doesNotMatch(panel['content-security-policy']!, /unsafe/);
  assert.equal(panel['x-frame-options'], 'DENY');
  const moduleUi = securityHeaders('/apps/syncthing/', true);
  assert.match(moduleUi['content-security-policy']!, /frame-ancestors 'self'$/);
  assert.equal(moduleUi['x-frame-options'], 'SAMEORIGIN');
  assert.equal(securityHeaders('/apps', true)['x-frame-options'], 'DENY', 'only paths under /apps/');
});

test('HSTS only over HTTPS', () => {
  assert.equal(securityHeaders('/', true)['strict-transport-security'], 'max-age=63072000');
  assert.equal(securityHeaders('/', false)['strict-transport-security'], undefined);
});

test("a module UI's own policy is kept beside ours; its looser framing and referrer headers are replaced", () => {
  const merged = moduleUiHeaders(
    { 'content-type': 'text/html', 'content-security-policy': "script-src 'self'", 'x-frame-options': 'ALLOWALL', 'referrer-policy': 'unsafe-url' },
    true,
  );
  assert.equal(merged['content-type'], 'text/html');
  assert.match(String(merged['content-security-policy']), /^script-src 'self', default-src 'self'.*frame-ancestors 'self'$/);
  assert.equal(merged['x-frame-options'], 'SAMEORIGIN');
  assert.equal(merged['referrer-policy'], 'same-origin');
  assert.equal(merged['strict-transport-security'], 'max-age=63072000');
  assert.equal(moduleUiHeaders({ 'x-frame-options': 'deny' }, true)['x-frame-options'], 'DENY', 'a stricter DENY stays');
});
