// No code path may hand a string to a shell: child processes only from a few audited files, argv arrays, shell off.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { readSources } from './source-imports.ts';

/** The audited places that start programs: the helper's door and supervisor, and the launcher. */
const ALLOWED_SPAWNERS = new Set(['src/helper/system-door.ts', 'src/helper/supervisor.ts', 'src/helper/cloudyd-keeper.ts']);
const production = readSources().filter((source) => !source.file.endsWith('.test.ts'));

test('only the audited files import child_process', () => {
  const importers = production.filter((source) => source.imports.some((name) => name === 'node:child_process' || name === 'child_process')).map((source) => source.file);
  assert.deepEqual(importers.sort(), [...ALLOWED_SPAWNERS].sort());
});

test('no exec/execSync (they always use a shell), no shell: true, no sh -c', () => {
  for (const source of production) {
    assert.doesNotMatch(source.text, /\bexecSync\s*\(|\bexec\s*\(\s*['"`]/, `${source.file} calls exec`);
    assert.doesNotMatch(source.text, /shell\s*:\s*true/, `${source.file} enables a shell`);
    assert.doesNotMatch(source.text, /['"](\/bin\/)?(ba|da)?sh['"]\s*,\s*\[?\s*['"]-c['"]/, `${source.file} runs sh -c`);
  }
  for (const file of ALLOWED_SPAWNERS) {
    const text = production.find((source) => source.file === file)!.text;
    assert.match(text, /shell:\s*false|process\.execPath/, `${file} states it uses no shell or runs node itself`);
  }
});
