// Checks that the panel's copy of the overlay network's names and patterns is exactly the contract's.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import * as contract from './vpn-contract.ts';
import * as names from './vpn-names.ts';

test('every name the panel uses has the contract’s value', () => {
  for (const [name, value] of Object.entries(names)) {
    assert.ok(name in contract, `${name} is in vpn-contract.ts`);
    assert.deepEqual(value, contract[name as keyof typeof contract], name);
  }
});
