import assert from 'node:assert/strict';
import { test } from 'node:test';

import { fillInstructions } from './consume-instructions.ts';

const label = { en: 'Open', ca: 'Obre', es: 'Abrir' };
const record = { address: '10.1.2.3', port: 8443, node: 'node-a', txt: { path: '/photos', evil: '/x y<script>' } };

test('address, port, node and TXT values fill the lines', () => {
  assert.deepEqual(fillInstructions([{ label, value: 'davs://{address}:{port}{txt:path}/ on {node}' }], record), [{ label, value: 'davs://10.1.2.3:8443/photos/ on node-a' }]);
  assert.equal(fillInstructions([{ label, value: 'https://{address}:{port}/' }], { ...record, address: 'fd00::1' })[0]!.value, 'https://[fd00::1]:8443/');
});

test('a line needing a TXT value that is missing or not plain is left out, the others stay', () => {
  const lines = [
    { label, value: '{txt:missing}' },
    { label, value: 'x{txt:evil}' },
    { label, value: 'ok {port}' },
  ];
  assert.deepEqual(fillInstructions(lines, record), [{ label, value: 'ok 8443' }]);
});
