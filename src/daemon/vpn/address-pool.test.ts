// Unit tests of overlay address allocation: numeric order (the 2015 server's string order handed out duplicates), bounds, bad ranges.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { contains, lowestFreeAddress, parseSubnet } from './address-pool.ts';

test('the lowest free host address, in numeric order', () => {
  const subnet = parseSubnet('10.99.0.0/24');
  assert.equal(lowestFreeAddress(subnet, []), '10.99.0.1');
  const taken = Array.from({ length: 9 }, (_, index) => `10.99.0.${index + 1}`);
  assert.equal(lowestFreeAddress(subnet, taken), '10.99.0.10', 'after .9 comes .10');
  assert.equal(lowestFreeAddress(subnet, ['10.99.0.1', '10.99.0.3']), '10.99.0.2', 'a gap is filled first');
});

test('network and broadcast addresses are never handed out; a full range says so', () => {
  const subnet = parseSubnet('10.99.0.0/30');
  assert.equal(lowestFreeAddress(subnet, ['10.99.0.1']), '10.99.0.2');
  assert.equal(lowestFreeAddress(subnet, ['10.99.0.1', '10.99.0.2']), null);
  assert.equal(contains(subnet, '10.99.0.0'), false);
  assert.equal(contains(subnet, '10.99.0.3'), false);
  assert.equal(contains(subnet, '10.99.0.2'), true);
});

test('crossing an octet boundary in a /16', () => {
  const subnet = parseSubnet('10.200.0.0/16');
  const taken = Array.from({ length: 255 }, (_, index) => `10.200.0.${index + 1}`);
  assert.equal(lowestFreeAddress(subnet, taken), '10.200.1.0', '10.200.1.0 is a host address in a /16');
});

test('ranges that are not network addresses, too small or too large, or not IPv4 are refused with a hint', () => {
  assert.throws(() => parseSubnet('10.99.0.5/24'), /did you mean 10\.99\.0\.0\/24/);
  assert.throws(() => parseSubnet('10.99.0.0/31'), /between \/8 and \/30/);
  assert.throws(() => parseSubnet('10.0.0.0/7'), /between \/8 and \/30/);
  assert.throws(() => parseSubnet('10.99.0.0'), /not an IPv4 range/);
  assert.throws(() => parseSubnet('10.99.0.0/24\nSubnet = 0.0.0.0/0'), /not an IPv4 range/);
  assert.throws(() => parseSubnet('300.1.1.0/24'), /not an IPv4 range/);
});
