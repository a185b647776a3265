// The login throttle: per (account, address) and per address, a sliding 15-minute window, a bounded number of counters.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { DEFAULT_LIMITS, LoginThrottle, throttleAddress } from './login-throttle.ts';

function clockedThrottle(limits = DEFAULT_LIMITS) {
  const clock = { now: 1_000_000 };
  return { clock, throttle: new LoginThrottle(limits, () => clock.now) };
}

test('five failures for an account from one address stop that account there, not from another address', () => {
  const { throttle } = clockedThrottle();
  for (let attempt = 0; attempt < 5; attempt++) {
    assert.equal(throttle.retryAfterSeconds('10.0.0.9', 'admin'), 0);
    throttle.recordFailure('10.0.0.9', 'admin');
  }
  assert.equal(throttle.retryAfterSeconds('10.0.0.9', 'admin'), 15 * 60, 'the pair waits the whole window');
  assert.equal(throttle.retryAfterSeconds('10.0.0.1', 'admin'), 0, 'the administrator still signs in from elsewhere');
  assert.equal(throttle.retryAfterSeconds('10.0.0.9', 'member'), 0, 'other accounts from the same address are not yet stopped');
});

test('twenty failures from one address stop every account from it', () => {
  const { throttle } = clockedThrottle();
  for (let attempt = 0; attempt < 20; attempt++) throttle.recordFailure('10.0.0.9', `guess-${attempt}`);
  assert.ok(throttle.retryAfterSeconds('10.0.0.9', 'someone-new') > 0);
  assert.equal(throttle.retryAfterSeconds('10.0.0.8', 'someone-new'), 0);
});

test('the window slides: the oldest failure leaving it lets one more attempt in', () => {
  const { clock, throttle } = clockedThrottle();
  for (let attempt = 0; attempt < 5; attempt++) {
    throttle.recordFailure('10.0.0.9', 'admin');
    clock.now += 60_000;
  }
  assert.equal(throttle.retryAfterSeconds('10.0.0.9', 'admin'), 10 * 60, 'the first failure was 5 minutes ago');
  clock.now += 10 * 60_000;
  assert.equal(throttle.retryAfterSeconds('10.0.0.9', 'admin'), 0);
  throttle.recordFailure('10.0.0.9', 'admin');
  assert.equal(throttle.retryAfterSeconds('10.0.0.9', 'admin'), 60, 'the next-oldest leaves the window a minute later');
});

test('a success clears that account from that address but not the address budget', () => {
  const { throttle } = clockedThrottle();
  for (let attempt = 0; attempt < 4; attempt++) throttle.recordFailure('10.0.0.9', 'admin');
  for (let attempt = 0; attempt < 16; attempt++) throttle.recordFailure('10.0.0.9', `guess-${attempt}`);
  throttle.recordSuccess('10.0.0.9', 'member');
  assert.ok(throttle.retryAfterSeconds('10.0.0.9', 'admin') > 0, 'a member logging in does not reset the guesses at admin');
});

test('checking never creates a counter, and the counters stay under the cap, oldest forgotten first', () => {
  const { clock, throttle } = clockedThrottle({ ...DEFAULT_LIMITS, maxCounters: 100 });
  for (let index = 0; index < 1000; index++) throttle.retryAfterSeconds(`10.1.${index >> 8}.${index & 255}`, `user-${index}`);
  assert.equal(throttle.size, 0);
  for (let attempt = 0; attempt < 5; attempt++) throttle.recordFailure('10.0.0.9', 'admin');
  for (let index = 0; index < 1000; index++) {
    clock.now += 1;
    throttle.recordFailure(`10.1.${index >> 8}.${index & 255}`, `user-${index}`);
    assert.ok(throttle.size <= 100);
  }
  assert.equal(throttle.retryAfterSeconds('10.0.0.9', 'admin'), 0, 'the oldest counters went first');
  assert.equal(throttle.retryAfterSeconds('10.1.3.231', 'user-999'), 0);
  assert.equal(throttle.size as number, 100, 'full, and no larger');
});

test('counters expire with the window', () => {
  const { clock, throttle } = clockedThrottle();
  throttle.recordFailure('10.0.0.9', 'admin');
  clock.now += 15 * 60_000;
  assert.equal(throttle.retryAfterSeconds('10.0.0.9', 'admin'), 0);
  assert.equal(throttle.size, 0);
});

test('IPv6 addresses count by their /64; IPv4-mapped addresses as IPv4', () => {
  assert.equal(throttleAddress('::ffff:10.0.0.9'), '10.0.0.9');
  assert.equal(throttleAddress('10.0.0.9'), '10.0.0.9');
  assert.equal(throttleAddress('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
  assert.equal(throttleAddress('2001:0db8:0001:0002:bbbb:cccc:dddd:eeee'), '2001:db8:1:2::/64');
  assert.equal(throttleAddress('2001:db8::1'), '2001:db8:0:0::/64');
  assert.equal(throttleAddress('fe80::1%eth0'), 'fe80:0:0:0::/64');
  assert.equal(throttleAddress('::1'), '0:0:0:0::/64');
  assert.equal(throttleAddress('64:ff9b::10.0.0.1'), '64:ff9b:0:0::/64');
  const { throttle } = clockedThrottle();
  for (let attempt = 0; attempt < 5; attempt++) throttle.recordFailure(`2001:db8:1:2::${attempt + 1}`, 'admin');
  assert.ok(throttle.retryAfterSeconds('2001:db8:1:2::99', 'admin') > 0, 'a fresh address in the same /64 does not start over');
  assert.equal(throttle.retryAfterSeconds('2001:db8:1:3::1', 'admin'), 0);
});
