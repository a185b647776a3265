// Fails when the layering breaks: panel → shared only; privileged code → helper only; modules independent; core → no module.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { readSources } from './source-imports.ts';

const sources = readSources();
const moduleOf = (file: string) => /^src\/modules\/([^/]+)\//.exec(file)?.[1];
const isTest = (file: string) => file.endsWith('.test.ts');

test('the sources were found and their imports read', () => {
  assert.ok(sources.length > 40);
  assert.ok(sources.find((source) => source.file === 'src/daemon/main.ts')?.imports.includes('src/modules/index.ts'));
});

test('the web panel imports only the panel, shared contracts and npm packages', () => {
  for (const source of sources.filter((candidate) => candidate.file.startsWith('src/web/') && !isTest(candidate.file))) {
    for (const target of source.imports.filter((name) => name.startsWith('src/'))) {
      assert.ok(target.startsWith('src/web/') || target.startsWith('src/shared/'), `${source.file} imports ${target}`);
    }
    // The contract file pulls a schema library: the browser may only take its types.
    for (const statement of source.text.match(/(?:import|export)\b[^;]*?from\s+['"][^'"]*api-contract(?:\.ts)?['"]/g) ?? []) {
      assert.match(statement, /^(import|export) type /, `${source.file}: ${statement}`);
    }
  }
});

test("only the helper's composition root reaches modules' privileged actions", () => {
  for (const source of sources) {
    for (const target of source.imports) {
      if (/^src\/modules\/[^/]+\/privileged\.ts$/.test(target)) {
        // A module's own tests may run its actions in the test process (root, a real door): webdav's daemon test does.
        const ownTest = isTest(source.file) && moduleOf(source.file) === moduleOf(target);
        if (!ownTest) assert.equal(source.file, 'src/modules/privileged-index.ts', `${source.file} imports ${target}`);
      }
      if (target === 'src/modules/privileged-index.ts') assert.equal(source.file, 'src/helper/helper-service.ts', `${source.file} imports ${target}`);
    }
  }
});

test('modules never import each other, nor the daemon, helper or CLI', () => {
  for (const source of sources.filter((candidate) => moduleOf(candidate.file))) {
    for (const target of source.imports.filter((name) => name.startsWith('src/'))) {
      const targetModule = moduleOf(target);
      if (targetModule) assert.equal(targetModule, moduleOf(source.file), `${source.file} imports ${target}`);
      assert.ok(!/^src\/(daemon|helper|cli|web)\//.test(target), `${source.file} imports ${target}`);
    }
  }
});

test('the core imports no module; only composition roots list them', () => {
  const compositionRoots = new Set(['src/daemon/main.ts', 'src/helper/helper-service.ts']);
  for (const source of sources.filter((candidate) => /^src\/(daemon|helper|cli|kit|shared)\//.test(candidate.file) && !isTest(candidate.file))) {
    if (compositionRoots.has(source.file)) continue;
    for (const target of source.imports) assert.ok(!target.startsWith('src/modules/'), `${source.file} imports ${target}`);
  }
});
