import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { build } from 'esbuild';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cloudy-maps-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const mapper = fileURLToPath(new URL('./lazy-source-maps.ts', import.meta.url));

test('a stack printed by the build names the TypeScript file, line and function', async () => {
  writeFileSync(
    path.join(dir, 'entry.ts'),
    [`import { mapStackTracesLazily } from ${JSON.stringify(mapper)};`, 'mapStackTracesLazily(import.meta.url);', '', 'function failDeep(): never {', "  throw new Error('boom');", '}', 'failDeep();', ''].join('\n'),
  );
  // As scripts/build-node.ts builds: minified whitespace, maps without the sources' text.
  await build({ entryPoints: [path.join(dir, 'entry.ts')], outfile: path.join(dir, 'out/entry.js'), bundle: true, format: 'esm', platform: 'node', sourcemap: true, sourcesContent: false, minifyWhitespace: true, logLevel: 'error' });
  let stderr = '';
  try {
    execFileSync(process.execPath, [path.join(dir, 'out/entry.js')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    stderr = (error as { stderr: string }).stderr;
  }
  assert.match(stderr, /Error: boom/);
  assert.match(stderr, new RegExp(`at failDeep \\(${path.join(dir, 'entry.ts').replaceAll('/', '\\/')}:5:9\\)`), stderr);
});
