// bin/cloudy is a shell script (no third Node process for `cloudy start`), so it cannot import the helper's flags:
// this keeps its copy equal to the one definition the helper, cloudyd and the systemd units use.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { HELPER_NODE_FLAGS } from '../../src/shared/node-flags.ts';

test('bin/cloudy runs the helper with HELPER_NODE_FLAGS', () => {
  const script = readFileSync(new URL('../../bin/cloudy', import.meta.url), 'utf8');
  const copy = /^helper_flags="([^"]*)"$/m.exec(script)?.[1];
  assert.equal(copy, HELPER_NODE_FLAGS.join(' '));
});
