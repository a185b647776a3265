// Unit tests of the ConnectTo choice: bounded, the hub first, at least two paths, stable as members come and go.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { CONNECT_TO_FANOUT, chooseConnectTo, type ConnectCandidate } from './connect-to.ts';

const members = (count: number): ConnectCandidate[] => [
  { name: 'server', reachable: true, hub: true },
  ...Array.from({ length: count }, (_, index) => ({ name: `m${index + 1}`, reachable: true, hub: false })),
];

test('never a full mesh: at most the fan-out, the hub first, never itself', () => {
  const chosen = chooseConnectTo('m7', members(50));
  assert.equal(chosen.length, CONNECT_TO_FANOUT);
  assert.equal(chosen[0], 'server');
  assert.ok(!chosen.includes('m7'));
});

test('every member of a network of three or more gets at least two paths', () => {
  for (const size of [2, 3, 10, 100]) {
    const all = members(size);
    for (const member of all) assert.ok(chooseConnectTo(member.name, all).length >= 2, `${member.name} in ${size + 1}`);
  }
});

test('members without an endpoint are not connected to', () => {
  const all: ConnectCandidate[] = [...members(3), { name: 'behind_nat', reachable: false, hub: false }];
  for (const member of all) assert.ok(!chooseConnectTo(member.name, all).includes('behind_nat'));
});

test('the choice is stable: a new member changes few existing choices, and incoming links spread out', () => {
  const before = members(40);
  const after = members(41);
  const changed = before.filter((member) => chooseConnectTo(member.name, before).join() !== chooseConnectTo(member.name, after).join()).length;
  assert.ok(changed <= 6, `${changed} of 41 members changed their ConnectTo lines`);
  const incoming = new Map<string, number>();
  for (const member of after) for (const peer of chooseConnectTo(member.name, after)) incoming.set(peer, (incoming.get(peer) ?? 0) + 1);
  incoming.delete('server');
  assert.ok(Math.max(...incoming.values()) <= 8, `the busiest non-hub member has ${Math.max(...incoming.values())} incoming links`);
});
