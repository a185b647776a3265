// The generic suite every module gets: install → configure → start → status → web UI → diagnostics → stop → uninstall.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import type { ModuleManifest } from '../../src/kit/manifest.ts';
import type { ModuleTranslations } from '../../src/kit/module-translations.ts';
import { startNodeWithAdmin, type StartedNode } from './cloudy-node.ts';
import { dpkgInstalled, ensureUninstalled, isAlive, moduleState, processUid, runOperation, systemAccount } from './module-lifecycle.ts';
import { openEventStream, rawRequest, type PanelSession } from './panel-session.ts';

export interface SuiteContext {
  node: StartedNode;
  session: PanelSession;
  /** The module as GET /api/modules/:id returns it. */
  detail(): Promise<any>;
}

export interface ModuleSuiteOptions {
  manifest: ModuleManifest;
  /** The module's translations: the suite reads the module in Catalan and compares. */
  translations: ModuleTranslations;
  /** Valid settings for this machine (e.g. free ports), saved before the first start. */
  settings(): Promise<Record<string, unknown>>;
  /** Module-specific checks once it runs with those settings. */
  whileRunning(context: SuiteContext): Promise<void>;
  /** A change made while running, and how to see that the running daemon took it. */
  liveChange: { values: Record<string, unknown>; verify(context: SuiteContext): Promise<void> };
}

export function moduleLifecycleSuite(options: ModuleSuiteOptions): void {
  const { manifest } = options;
  const id = manifest.id;
  const context = {} as SuiteContext;

  before(async () => {
    ({ node: context.node, session: context.session } = await startNodeWithAdmin());
    context.detail = () => moduleState(context.session, id);
    await ensureUninstalled(context.session, id);
  });
  after(async () => {
    await context.node?.stop();
  });

  test(`${id}: install runs apt and streams its own progress`, async () => {
    const stream = openEventStream(context.session);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const operation = await runOperation(context.session, id, 'install');
    // The module's new state is announced right after the operation settles.
    const announced = () => stream.events.some((event) => event.type === 'module' && event.data.module === id && event.data.state.installed);
    for (let waited = 0; !announced() && waited < 5000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    stream.close();
    for (const name of manifest.packages) assert.equal(dpkgInstalled(name), true, `${name} installed`);
    const progress = stream.events.filter((event) => event.type === 'operation' && event.data.id === operation.id).map((event) => event.data.progress);
    assert.ok(progress.some((value) => value > 0 && value < 100), `intermediate apt progress seen: ${progress.join(', ')}`);
    assert.ok(announced(), 'the installed state was pushed to the panel');
    assert.equal((await context.detail()).state.running, false);
  });

  test(`${id}: settings saved while stopped wait for the start`, async () => {
    const reply = await context.session.request('PUT', `/api/modules/${id}/config`, { values: await options.settings() });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    assert.equal(reply.body.state.configApplied, false);
  });

  test(`${id}: start runs every daemon as its declared user and applies the settings`, async () => {
    await runOperation(context.session, id, 'start');
    const detail = await context.detail();
    assert.equal(detail.state.running, true);
    assert.equal(detail.state.configApplied, true);
    for (const [index, daemon] of manifest.daemons.entries()) {
      assert.equal(processUid(detail.state.daemons[index].pid), systemAccount(daemon.user).uid, `${daemon.name} runs as ${daemon.user}`);
    }
    await options.whileRunning(context);
  });

  test(`${id}: its own web UI, if any, is behind the panel's login`, { skip: manifest.webUi ? false : 'no web UI' }, async () => {
    const page = await context.session.request('GET', `/apps/${id}/`);
    assert.equal(page.status, 200);
    // Its own answer, passed through the proxy, carries the module-UI policy: never framable by another origin.
    assert.match(String(page.headers['content-security-policy']), /frame-ancestors 'self'/);
    assert.ok(['SAMEORIGIN', 'DENY'].includes(String(page.headers['x-frame-options'])), `X-Frame-Options ${page.headers['x-frame-options']}`);
    assert.equal(page.headers['x-content-type-options'], 'nosniff');
    assert.match(String(page.headers['strict-transport-security']), /^max-age=\d{8,}$/);
    assert.equal((await rawRequest(context.node.baseUrl, 'GET', `/apps/${id}/`)).status, 401);
  });

  test(`${id}: a change while running is applied live`, async () => {
    assert.equal((await context.session.request('PUT', `/api/modules/${id}/config`, { values: options.liveChange.values })).status, 200);
    const configure = (await context.session.request('GET', '/api/operations')).body.find((operation: { kind: string; module: string }) => operation.kind === 'configure' && operation.module === id);
    assert.equal((await context.session.waitForOperation(configure.id)).state, 'completed');
    await options.liveChange.verify(context);
    assert.equal((await context.detail()).state.configApplied, true);
  });

  test(`${id}: diagnostics pass and the logs show the daemons`, async () => {
    const diagnostics = (await context.session.request('GET', `/api/modules/${id}/diagnostics`)).body as Array<{ checkId: string; result: string }>;
    assert.equal(diagnostics.length, 1 + manifest.daemons.length + manifest.diagnostics.length, 'generic package and daemon checks plus every declared check');
    for (const check of diagnostics) assert.equal(check.result, 'passed', check.checkId);
    const logs = (await context.session.request('GET', `/api/modules/${id}/logs`)).body as Array<{ text: string }>;
    for (const daemon of manifest.daemons) assert.ok(logs.some((line) => line.text.startsWith(`started ${daemon.argv[0]}`)), `${daemon.name} in the logs`);
  });

  test(`${id}: a Catalan reader gets the module's own words in Catalan`, async () => {
    const catalan = options.translations.catalogue.ca;
    assert.equal((await context.session.request('PUT', '/api/account/language', { language: 'ca' })).status, 204);
    try {
      const detail = await context.detail();
      assert.equal(detail.title, catalan.title);
      assert.equal(detail.description, catalan.description);
      type Property = { title?: string; description?: string; anyOf?: Array<{ const?: unknown; title?: string }> };
      for (const [key, property] of Object.entries(detail.configSchema.properties as Record<string, Property>)) {
        if (property.title !== undefined) assert.equal(property.title, catalan[`setting.${key}.title`], `${key} title`);
        if (property.description !== undefined) assert.equal(property.description, catalan[`setting.${key}.description`], `${key} description`);
        for (const option of property.anyOf ?? []) {
          if (option.title !== undefined) assert.equal(option.title, catalan[`setting.${key}.choice.${String(option.const)}`], `${key} = ${String(option.const)}`);
        }
      }
      // Each detail label is one of the module's Catalan `detail.*` words, its placeholders filled in.
      const escape = (text: string) => text.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
      const labelPatterns = Object.entries(catalan)
        .filter(([key]) => key.startsWith('detail.'))
        .map(([, text]) => new RegExp(`^${escape(text).replace(/\\?\{\w+\\?\}/g, '.+')}$`));
      for (const line of detail.details as Array<{ label: string }>) {
        assert.ok(labelPatterns.some((pattern) => pattern.test(line.label)), `detail label "${line.label}" is one of the Catalan words`);
      }
      const diagnostics = (await context.session.request('GET', `/api/modules/${id}/diagnostics`)).body as Array<{ checkId: string; description: string }>;
      for (const check of manifest.diagnostics) assert.equal(diagnostics.find((shown) => shown.checkId === check.checkId)?.description, catalan[`check.${check.checkId}`]);
    } finally {
      await context.session.request('PUT', '/api/account/language', { language: 'en' });
    }
  });

  test(`${id}: stop ends the processes; uninstall removes the packages and keeps the settings`, async () => {
    const pids = (await context.detail()).state.daemons.map((daemon: { pid: number }) => daemon.pid);
    const settings = (await context.detail()).config;
    await runOperation(context.session, id, 'stop');
    for (const pid of pids) assert.equal(isAlive(pid), false);
    assert.equal((await context.detail()).state.running, false);
    // Stopped by its owner, the module fails nothing: what needs it running says so.
    const stopped = (await context.session.request('GET', `/api/modules/${id}/diagnostics`)).body as Array<{ checkId: string; result: string }>;
    assert.deepEqual(
      stopped.map((check) => `${check.checkId}=${check.result}`),
      [`${id}-packages=passed`, ...manifest.daemons.map((daemon) => `${id}-daemon-${daemon.name}=not-running`), ...manifest.diagnostics.map((check) => `${check.checkId}=not-running`)],
    );
    await runOperation(context.session, id, 'uninstall');
    for (const name of manifest.packages) assert.equal(dpkgInstalled(name), false, `${name} removed`);
    const detail = await context.detail();
    assert.equal(detail.state.installed, false);
    assert.deepEqual(detail.config, settings);
  });
}
