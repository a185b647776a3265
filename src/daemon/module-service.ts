// The generic module lifecycle: install → configure → start/stop → status/diagnostics → uninstall.
import type { DiscoveredView, ModuleDefinition, ModuleRuntime } from '../kit/module-hooks.ts';
import { expandRecord, expandTemplate, type TemplateValues } from '../kit/template.ts';
import type { CollectionItemView, DiagnosticCheck, ItemChangeReply, Language, LogLine, ModuleDetail, ModuleState, ModuleSummary, Operation } from '../shared/api-contract.ts';
import { HISTORY_RANGES, type HistoryRange, type ModuleGraphs } from '../shared/metrics-contract.ts';
import { ApiError, notFound } from './api-error.ts';
import { defaultConfig, invalidConfig, validateModuleConfig, withoutWriteOnly } from './config-validation.ts';
import type { EventBus } from './event-bus.ts';
import type { HelperClient } from './helper-client.ts';
import type { MetricStore } from './metrics/metric-store.ts';
import { moduleSeries } from './metrics/module-series.ts';
import type { ModuleCollections } from './module-collections.ts';
import type { ModuleStore } from './module-store.ts';
import { ModuleWorkers } from './module-workers.ts';
import { coreText, localizedCollections, localizedSchema, moduleText } from './module-texts.ts';
import type { OperationHandle, OperationMessage, OperationStore } from './operations.ts';

interface DaemonStatusReply {
  id: string;
  state: ModuleState['daemons'][number]['state'];
  pid: number | null;
  restarts: number;
}

/** A module's publish records with their templates filled, and whether its daemons all run. */
export interface ModulePublishing {
  module: string;
  title: string;
  records: Array<{ type: string; port: number; description: string; txt: Record<string, string> }>;
  running: boolean;
  /** Why it is not running (not started, a daemon's state, a template it cannot fill). */
  reason: string;
  /**
   * The publisher checked that the daemon serves (tincd's state from its supervisor): discovery then does not
   * connect to the port every 2 s, which a daemon like tincd logs as a failed peer each time.
   */
  servingChecked?: boolean;
}

/** A burst of discovery changes reaches the modules once, this long after its first change. */
const DISCOVERY_CHANGE_DELAY_MS = 2000;
/** A group's graphs in one answer: a device with many interfaces stays one page. */
const MAX_GRAPHS_SHOWN = 64;


export class ModuleService {
  private readonly modules = new Map<string, ModuleDefinition>();

  constructor(
    definitions: ModuleDefinition[],
    private readonly deps: {
      root: string;
      helper: HelperClient;
      store: ModuleStore;
      collections: ModuleCollections;
      operations: OperationStore;
      events: EventBus;
      nodeName: () => Promise<string>;
      nodePorts: { http: number; https: number };
      /** The node's time series; modules keep theirs there under their own prefix (`runtime.series`). */
      series: Pick<MetricStore, 'record' | 'history'>;
      /** Discovery's view for modules; set once discovery exists (it is built after this service). */
      discovered?: () => DiscoveredView;
    },
  ) {
    for (const definition of definitions) this.modules.set(definition.manifest.id, definition);
    deps.events.subscribe((event) => {
      if (event.type === 'discovery') this.discoveryChangedSoon();
    });
  }

  private discoveryTimer: NodeJS.Timeout | undefined;
  private discoveryRun: Promise<void> | null = null;

  /** Discovery changes come in bursts: the modules hear of them once per burst, one run at a time. */
  private discoveryChangedSoon(): void {
    if (this.discoveryTimer) return;
    this.discoveryTimer = setTimeout(() => {
      this.discoveryTimer = undefined;
      if (this.discoveryRun) {
        void this.discoveryRun.then(() => this.discoveryChangedSoon());
        return;
      }
      this.discoveryRun = this.notifyDiscoveryChanged().finally(() => (this.discoveryRun = null));
    }, DISCOVERY_CHANGE_DELAY_MS);
    this.discoveryTimer.unref();
  }

  private async notifyDiscoveryChanged(): Promise<void> {
    for (const [id, { hooks }] of this.modules) {
      if (!hooks.discoveryChanged || !this.deps.store.get(id).enabled) continue;
      try {
        if (!(await this.state(id)).running) continue;
        await hooks.discoveryChanged(this.runtime(id));
      } catch (error) {
        console.log(`cloudyd: ${id}: after a discovery change: ${(error as Error).message}`);
      }
    }
  }

  /** Set by the composition root once discovery exists. */
  setDiscoveredSource(source: () => DiscoveredView): void {
    this.deps.discovered = source;
  }

  private definition(id: string): ModuleDefinition {
    const definition = this.modules.get(id);
    if (!definition) throw notFound(`Module ${id}`);
    return definition;
  }

  private config(id: string): Record<string, unknown> {
    return this.deps.store.get(id).config ?? defaultConfig(this.definition(id).manifest);
  }

  private readonly workers = new ModuleWorkers();

  /** (Re)starts the module's `whileRunning` work with its current settings. */
  private startWorker(id: string): void {
    const work = this.definition(id).hooks.whileRunning;
    if (work) this.workers.start(id, work, () => this.runtime(id));
  }

  private stopWorker(id: string): void {
    this.workers.stop(id);
  }

  private runtime(id: string, handle?: OperationHandle): ModuleRuntime {
    const { manifest } = this.definition(id);
    return {
      root: this.deps.root,
      config: this.config(id),
      secrets: this.deps.store.secrets(id, manifest.secrets),
      collections: this.deps.collections.all(manifest),
      nodeName: this.deps.nodeName,
      nodePorts: this.deps.nodePorts,
      saveConfig: async (values) => {
        const { operation } = this.saveConfig(id, values);
        if (operation === null) return;
        const settled = await this.deps.operations.settled(operation.id);
        if (settled.state === 'failed') throw new Error(settled.error ?? 'applying the settings failed');
      },
      discovered: async () => this.deps.discovered?.() ?? { microcloud: '', communityAddress: '127.0.0.1', services: [], nodes: [] },
      callPrivileged: (action, args = {}) => {
        if (!action.startsWith(`${id}.`)) throw new Error(`module ${id} may only call its own actions, not ${action}`);
        return this.deps.helper.call(action, args);
      },
      series: moduleSeries(this.deps.series, id),
      // Outside an operation (the module's whileRunning work, hooks other services call), cloudyd's own log.
      log: (line) => (handle ? handle.log(line) : console.log(`cloudyd: ${id}: ${line}`)),
    };
  }

  async state(id: string): Promise<ModuleState> {
    const { manifest } = this.definition(id);
    const stored = this.deps.store.get(id);
    const [packages, daemons] = await Promise.all([this.deps.helper.call<{ installed: boolean }>('packages.status', { module: id }), this.daemonStatuses(id)]);
    return {
      installed: packages.installed,
      running: daemons.length > 0 && daemons.every((daemon) => daemon.state === 'running'),
      enabled: stored.enabled,
      configured: stored.config !== null,
      configApplied: stored.configApplied,
      daemons: daemons.map((daemon, index) => ({ name: manifest.daemons[index]?.name ?? daemon.id, state: daemon.state, pid: daemon.pid, restarts: daemon.restarts })),
    };
  }

  /** The main PIDs of the enabled modules' running daemons, for the monitoring sampler. */
  async runningDaemons(): Promise<Array<{ module: string; pid: number }>> {
    const enabled = [...this.modules.keys()].filter((id) => this.deps.store.get(id).enabled);
    const statuses = await Promise.all(enabled.map(async (id) => ({ id, daemons: await this.daemonStatuses(id).catch(() => []) })));
    return statuses.flatMap(({ id, daemons }) => daemons.flatMap((daemon) => (daemon.state === 'running' && daemon.pid ? [{ module: id, pid: daemon.pid }] : [])));
  }

  private daemonStatuses(id: string): Promise<DaemonStatusReply[]> {
    return this.deps.helper.call<DaemonStatusReply[]>('daemons.status', { module: id });
  }

  async summary(id: string, language: Language = 'en'): Promise<ModuleSummary> {
    const { manifest, translations } = this.definition(id);
    return {
      id,
      title: moduleText(translations, 'title', language),
      description: moduleText(translations, 'description', language),
      category: manifest.category,
      packages: manifest.packages,
      state: await this.state(id),
      hasWebUi: manifest.webUi !== undefined,
    };
  }

  list(language: Language = 'en'): Promise<ModuleSummary[]> {
    return Promise.all([...this.modules.keys()].map((id) => this.summary(id, language)));
  }

  async detail(id: string, language: Language = 'en'): Promise<ModuleDetail> {
    const { manifest, hooks, translations } = this.definition(id);
    const summary = await this.summary(id, language);
    const lines = summary.state.running && hooks.details ? await hooks.details(this.runtime(id)).catch((error: Error) => [{ label: coreText('details', translations), value: error.message }]) : [];
    const details = lines.map(({ label, ...line }) => ({ ...line, label: label[language] }));
    return { ...summary, collections: localizedCollections(manifest, translations, language), configSchema: localizedSchema(manifest.configSchema, translations, language), config: withoutWriteOnly(manifest.configSchema, this.config(id)), details };
  }

  /** The items of one of the module's lists, as the API shows them: never a password hash. */
  items(id: string, collection: string): CollectionItemView[] {
    const { manifest } = this.definition(id);
    this.deps.collections.spec(manifest, collection);
    return this.deps.collections.items(id, collection).map(({ key, values, passwordHash }) => ({ key, values, hasPassword: passwordHash !== null }));
  }

  /** Adds or changes an item (and its password); a running module applies the lists again in an operation. */
  async putItem(id: string, collection: string, key: string, submitted: { values: Record<string, unknown>; password?: string }, language: Language = 'en'): Promise<ItemChangeReply> {
    const { manifest, translations } = this.definition(id);
    const spec = this.deps.collections.spec(manifest, collection);
    this.deps.operations.assertIdle(id);
    const wording = localizedSchema(spec.itemSchema, translations, language, `collection.${collection}.`);
    const { values, passwordHash } = await this.deps.collections.put(manifest, collection, key, submitted, { language, wording });
    return { item: { key, values, hasPassword: passwordHash !== null }, operationId: this.applyCollections(id) };
  }

  removeItem(id: string, collection: string, key: string): ItemChangeReply {
    const { manifest } = this.definition(id);
    this.deps.operations.assertIdle(id);
    this.deps.collections.remove(manifest, collection, key);
    return { item: null, operationId: this.applyCollections(id) };
  }

  /** The lists feed the daemon's files: a running module rewrites them (applyConfig with its unchanged config). */
  private applyCollections(id: string): string | null {
    if (!this.deps.store.get(id).enabled) return null;
    return this.run(id, 'configure', coreText('configure', this.definition(id).translations), async (handle) => {
      await this.applyConfig(id, this.config(id), handle);
      this.startWorker(id);
    }).id;
  }

  install(id: string): Operation {
    const { manifest, translations } = this.definition(id);
    return this.run(id, 'install', coreText('install', translations), async (handle) => {
      await this.deps.helper.call('packages.install', { module: id }, (progress) => handle.progress(progress.percent, progress.message));
      handle.log(`packages installed: ${manifest.packages.join(', ')}`);
      await this.setup(id, handle);
    });
  }

  start(id: string): Operation {
    return this.run(id, 'start', coreText('start', this.definition(id).translations), async (handle) => {
      await this.requireInstalled(id);
      await this.setup(id, handle);
      await this.startDaemons(id, handle);
      await this.applyConfig(id, null, handle);
      this.deps.store.update(id, { enabled: true });
      this.startWorker(id);
    });
  }

  stop(id: string): Operation {
    return this.run(id, 'stop', coreText('stop', this.definition(id).translations), async (handle) => {
      this.deps.store.update(id, { enabled: false });
      this.stopWorker(id);
      await this.stopDaemons(id, handle);
    });
  }

  uninstall(id: string): Operation {
    const { manifest, translations } = this.definition(id);
    return this.run(id, 'uninstall', coreText('uninstall', translations), async (handle) => {
      this.deps.store.update(id, { enabled: false });
      this.stopWorker(id);
      await this.stopDaemons(id, handle);
      await this.deps.helper.call('packages.remove', { module: id }, (progress) => handle.progress(progress.percent, progress.message));
      handle.log(`packages removed: ${manifest.packages.join(', ')}; data and settings are kept`);
    });
  }

  /** Validates and saves; a running module gets the change applied as an operation. */
  saveConfig(id: string, submitted: Record<string, unknown>, language: Language = 'en'): { operation: Operation | null } {
    const { manifest, hooks, translations } = this.definition(id);
    const previous = this.deps.store.get(id).config;
    const wording = localizedSchema(manifest.configSchema, translations, language);
    const config = validateModuleConfig(manifest, previous ?? {}, submitted, this.deps.root, { language, wording });
    const refused = Object.entries(hooks.checkConfig?.(config) ?? {});
    if (refused.length > 0) throw invalidConfig(Object.fromEntries(refused.map(([key, text]) => [key, text[language]])), language);
    this.deps.operations.assertIdle(id);
    this.deps.store.update(id, { config, configApplied: false });
    if (!this.deps.store.get(id).enabled) return { operation: null };
    const operation = this.run(id, 'configure', coreText('configure', translations), async (handle) => {
      await this.applyConfig(id, previous, handle);
      this.startWorker(id);
    });
    return { operation };
  }

  /**
   * The generic checks (packages, one per daemon) and the module's own. While the owner has the module stopped, what
   * needs it running is `not-running`, not a failure; a daemon that should run and does not is `failed`.
   */
  async diagnostics(id: string, language: Language = 'en'): Promise<DiagnosticCheck[]> {
    const { manifest, hooks, translations } = this.definition(id);
    const state = await this.state(id);
    const wanted = state.enabled || state.daemons.some((daemon) => daemon.state !== 'stopped');
    const generic: DiagnosticCheck[] = [
      {
        checkId: `${id}-packages`,
        description: coreText('packagesCheck', translations, { packages: manifest.packages.join(', ') })[language],
        result: state.installed ? 'passed' : 'failed',
        parameters: {},
      },
      ...state.daemons.map((daemon) => ({
        checkId: `${id}-daemon-${daemon.name}`,
        description: coreText('daemonCheck', translations, { daemon: daemon.name })[language],
        result: daemon.state === 'running' ? ('passed' as const) : wanted ? ('failed' as const) : ('not-running' as const),
        parameters: { state: daemon.state, restarts: String(daemon.restarts) },
      })),
    ];
    const own =
      state.running && hooks.diagnose
        ? await hooks.diagnose(this.runtime(id))
        : manifest.diagnostics.map((check) => ({ checkId: check.checkId, description: check.description, result: wanted ? ('failed' as const) : ('not-running' as const), parameters: {} }));
    const ownLocalized = own.map((check) => ({ ...check, description: moduleText(translations, `check.${check.checkId}`, language) }));
    return [...generic, ...ownLocalized];
  }

  async logs(id: string): Promise<LogLine[]> {
    const { manifest } = this.definition(id);
    const perDaemon = await Promise.all(
      manifest.daemons.map((daemon) => this.deps.helper.call<LogLine[]>('daemons.logs', { module: id, daemon: daemon.name, limit: 200 })),
    );
    return perDaemon.flat().sort((a, b) => a.time.localeCompare(b.time));
  }

  /** The module's graphs of one group (the first when none is named) with their points over `range`. */
  async graphs(id: string, range: HistoryRange, group: string | undefined, language: Language = 'en'): Promise<ModuleGraphs> {
    const { hooks } = this.definition(id);
    const to = Math.floor(Date.now() / 1000);
    const from = to - HISTORY_RANGES[range];
    const runtime = this.runtime(id);
    const all = (await hooks.graphs?.(runtime)) ?? [];
    const groups = [...new Map(all.map((graph) => [graph.group, { name: graph.group, ...(graph.groupStatus ? { status: graph.groupStatus } : {}) }])).values()];
    const chosen = group ?? groups[0]?.name ?? null;
    const shown = all.filter((graph) => graph.group === chosen).slice(0, MAX_GRAPHS_SHOWN);
    const { step, series } = runtime.series.history(shown.flatMap((graph) => graph.lines.map((line) => line.series)), from, to);
    return {
      step,
      from,
      to,
      groups,
      group: chosen,
      graphs: shown.map((graph) => ({ id: graph.id, title: typeof graph.title === 'string' ? graph.title : graph.title[language], unit: graph.unit, lines: graph.lines.map((line) => ({ label: line.label[language], points: series[line.series] ?? [] })) })),
    };
  }

  /** The module's own web UI, for the panel's proxy. */
  webUi(id: string): { target: string; headers: Record<string, string> } | null {
    const { manifest } = this.definition(id);
    if (!manifest.webUi) return null;
    const values = this.templateValues(id);
    return { target: expandTemplate(manifest.webUi.target, values), headers: expandRecord(manifest.webUi.headers, values) };
  }

  definitions(): ModuleDefinition[] {
    return [...this.modules.values()];
  }

  /** For hooks other services call (discovery's consume actions): the module's state and its runtime. */
  async hookContext(id: string): Promise<{ definition: ModuleDefinition; state: ModuleState; runtime: ModuleRuntime }> {
    return { definition: this.definition(id), state: await this.state(id), runtime: this.runtime(id) };
  }

  /** For discovery: every module that declares publish records, checked live with the supervisor. */
  async publishing(): Promise<ModulePublishing[]> {
    const modules = [...this.modules.values()].filter(({ manifest }) => manifest.publish.length > 0);
    return Promise.all(modules.map(({ manifest, hooks }) => this.publishingOf(manifest.id, hooks)));
  }

  private async publishingOf(id: string, hooks: ModuleDefinition['hooks']): Promise<ModulePublishing> {
    const { manifest } = this.definition(id);
    const result: ModulePublishing = { module: id, title: manifest.title, records: [], running: false, reason: 'not started' };
    if (!this.deps.store.get(id).enabled) return result;
    const down = (await this.daemonStatuses(id)).find((daemon) => daemon.state !== 'running');
    if (down) return { ...result, reason: `${down.id} is ${down.state}` };
    try {
      const values = this.templateValues(id);
      const extraTxt = (await hooks.publishedTxt?.(this.runtime(id))) ?? {};
      const records = manifest.publish.map((record) => ({
        type: record.type,
        port: Number(expandTemplate(record.port, values)),
        description: expandTemplate(record.description, values),
        txt: { ...expandRecord(record.txt, values), ...extraTxt },
      }));
      return { ...result, records, running: true, reason: 'running' };
    } catch (error) {
      return { ...result, reason: (error as Error).message };
    }
  }

  /** At node start: bring back what the owner had started. */
  async restoreEnabled(): Promise<void> {
    for (const id of this.modules.keys()) {
      if (!this.deps.store.get(id).enabled) continue;
      try {
        this.start(id);
      } catch (error) {
        // Busy with another operation: that one decides the module's state.
        console.error(`cloudyd: not restarting ${id}: ${(error as Error).message}`);
      }
    }
  }

  private templateValues(id: string): TemplateValues {
    const { manifest } = this.definition(id);
    const node = { httpPort: this.deps.nodePorts.http, httpsPort: this.deps.nodePorts.https };
    return { root: this.deps.root, paths: manifest.paths, config: this.config(id), secrets: this.deps.store.secrets(id, manifest.secrets), node };
  }

  private run(id: string, kind: string, title: OperationMessage, work: (handle: OperationHandle) => Promise<void>): Operation {
    return this.deps.operations.start(id, kind, title, work, () => void this.publishState(id));
  }

  private async publishState(id: string): Promise<void> {
    const state = await this.state(id).catch(() => null);
    if (state) this.deps.events.publish({ type: 'module', module: id, state });
  }

  private async requireInstalled(id: string): Promise<void> {
    const { installed } = await this.deps.helper.call<{ installed: boolean }>('packages.status', { module: id });
    if (!installed) throw new ApiError(409, 'not_installed', `${this.definition(id).manifest.title} is not installed; install it first.`);
  }

  private async setup(id: string, handle: OperationHandle): Promise<void> {
    const { manifest, hooks } = this.definition(id);
    const stored = this.deps.store.get(id);
    if (!stored.config) this.deps.store.update(id, { config: defaultConfig(manifest) });
    this.deps.store.secrets(id, manifest.secrets);
    await hooks.setup?.(this.runtime(id, handle), stored.setupVersion);
    this.deps.store.update(id, { setupVersion: manifest.version });
    handle.log(`set up (module version ${manifest.version})`);
  }

  private async startDaemons(id: string, handle: OperationHandle): Promise<void> {
    const { manifest, hooks, translations } = this.definition(id);
    // Only while no process of the module is alive: a daemon still starting could overwrite what we write.
    const daemonsDown = (await this.daemonStatuses(id)).every((daemon) => ['stopped', 'failed', 'backoff'].includes(daemon.state));
    if (daemonsDown) await hooks.beforeStart?.(this.runtime(id, handle));
    const { config, secrets } = this.templateValues(id);
    for (const daemon of manifest.daemons) {
      handle.progress(undefined, coreText('startDaemon', translations, { daemon: daemon.name }));
      const status = await this.deps.helper.call<DaemonStatusReply>('daemons.start', { module: id, daemon: daemon.name, config, secrets });
      if (status.state !== 'running') throw new Error(`${daemon.name} did not start (${status.state}); see the module's logs.`);
      handle.log(`${daemon.name} running as pid ${status.pid}`);
    }
  }

  private async stopDaemons(id: string, handle: OperationHandle): Promise<void> {
    const { manifest, translations } = this.definition(id);
    for (const daemon of manifest.daemons) {
      handle.progress(undefined, coreText('stopDaemon', translations, { daemon: daemon.name }));
      await this.deps.helper.call('daemons.stop', { module: id, daemon: daemon.name });
      handle.log(`${daemon.name} stopped`);
    }
  }

  private async applyConfig(id: string, previous: Record<string, unknown> | null, handle: OperationHandle): Promise<void> {
    const { hooks, translations } = this.definition(id);
    // Without a hook, only a restart brings new settings in (unless this is the start itself).
    const outcome = hooks.applyConfig ? await hooks.applyConfig(this.runtime(id, handle), previous) : previous ? 'restart' : 'applied';
    if (outcome === 'restart') {
      handle.log('the change needs a restart');
      handle.progress(undefined, coreText('restart', translations));
      await this.stopDaemons(id, handle);
      await this.startDaemons(id, handle);
      await hooks.applyConfig?.(this.runtime(id, handle), null);
    }
    this.deps.store.update(id, { configApplied: true });
  }
}
