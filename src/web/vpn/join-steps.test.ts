// Checks how the join operation's progress and error map to the five steps the VPN page shows.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { joinStepStates } from './join-steps.ts';

const states = (state: 'waiting' | 'running' | 'completed' | 'failed', progress: number, error: string | null = null) => Object.values(joinStepStates({ state, progress, error }));

test('before the first step nothing is done; each step is done once the next one has begun', () => {
  assert.deepEqual(states('waiting', 0), ['waiting', 'waiting', 'waiting', 'waiting', 'waiting']);
  assert.deepEqual(states('running', 5), ['running', 'waiting', 'waiting', 'waiting', 'waiting']);
  assert.deepEqual(states('running', 25), ['done', 'running', 'waiting', 'waiting', 'waiting']);
  assert.deepEqual(states('running', 70), ['done', 'done', 'done', 'running', 'waiting']);
  assert.deepEqual(states('running', 80), ['done', 'done', 'done', 'done', 'running']);
});

test('a completed join has every step done', () => {
  assert.deepEqual(states('completed', 100), ['done', 'done', 'done', 'done', 'done']);
});

test('a failed join marks the step its error names, else the step under way', () => {
  assert.deepEqual(states('failed', 25, 'step "enrol" failed: The join token has expired'), ['done', 'failed', 'waiting', 'waiting', 'waiting']);
  assert.deepEqual(states('failed', 65, 'step "peer" failed: no peer answered'), ['done', 'done', 'done', 'done', 'failed']);
  assert.deepEqual(states('failed', 50, 'Cloudy stopped while this operation was running'), ['done', 'done', 'failed', 'waiting', 'waiting']);
  assert.deepEqual(states('failed', 0, 'step "bogus" failed'), ['failed', 'waiting', 'waiting', 'waiting', 'waiting']);
});

test('no operation yet: every step waits', () => {
  assert.deepEqual(Object.values(joinStepStates(null)), ['waiting', 'waiting', 'waiting', 'waiting', 'waiting']);
});
