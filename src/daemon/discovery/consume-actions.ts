// Consume actions on discovered services and requests from peers, dispatched to the modules that declare them.
import type { ConsumeAction } from '../../kit/manifest.ts';
import type { DiscoveredService } from '../../kit/module-hooks.ts';
import type { ConsumeRequest, ConsumeView, IncomingRequestView, ServiceRecord } from '../../shared/discovery-contract.ts';
import { ApiError, notFound } from '../api-error.ts';
import type { ModuleService } from '../module-service.ts';
import type { RecordCache } from './record-cache.ts';
import { fillInstructions } from './consume-instructions.ts';
import { shortType } from './service-record.ts';

const MAX_RECORDS_PER_CALL = 1000;

/** A record as modules see it. */
export const discovered = (record: ServiceRecord): DiscoveredService => ({
  key: record.key,
  type: record.type,
  description: record.description,
  node: record.node,
  address: record.address,
  port: record.port,
  txt: record.txt,
});

export class ConsumeActions {
  constructor(
    private readonly modules: ModuleService,
    private readonly cache: RecordCache,
  ) {}

  private consumers(type: string): Array<{ module: string; title: string; action: ConsumeAction }> {
    return this.modules
      .definitions()
      .flatMap(({ manifest }) => manifest.consume.filter((action) => shortType(action.forType) === type).map((action) => ({ module: manifest.id, title: manifest.title, action })));
  }

  /** One view per (record, consuming module): the node decides self/install/start, the module the rest. */
  async views(type: string): Promise<ConsumeView[]> {
    const records = this.cache.search({ type, limit: MAX_RECORDS_PER_CALL }).records;
    const views: ConsumeView[] = [];
    for (const { module, title, action } of this.consumers(type)) {
      const base = { module, moduleTitle: title, action: action.id, label: action.label, waitingLabel: action.waitingLabel ?? null, doneLabel: action.doneLabel ?? null, undoLabel: action.undoLabel ?? null };
      if (action.show) {
        // Only lines to read: no module state, no hook; for this node's own records too.
        for (const record of records) views.push({ ...base, key: record.key, state: 'show', instructions: fillInstructions(action.show, record) });
        continue;
      }
      const { definition, state, runtime } = await this.modules.hookContext(module);
      const others = records.filter((record) => !record.self);
      const states = state.running && definition.hooks.consumeStates ? await definition.hooks.consumeStates(runtime, action.id, others.map(discovered)).catch(() => ({})) : {};
      for (const record of records) {
        const decided = record.self ? 'self' : !state.installed ? 'install' : !state.running ? 'start' : null;
        views.push({ ...base, key: record.key, state: decided ?? (states as Record<string, ConsumeView['state']>)[record.key] ?? 'unavailable', instructions: [] });
      }
    }
    return views;
  }

  async run(request: ConsumeRequest): Promise<ConsumeView> {
    const entry = this.cache.search({ limit: 20_000 }).records.find((record) => record.key === request.key);
    if (!entry) throw notFound(`A live service ${request.key}`);
    const consumer = this.consumers(entry.type).find((candidate) => candidate.module === request.module && candidate.action.id === request.action);
    if (!consumer) throw new ApiError(400, 'invalid_request', `${request.module} offers no action "${request.action}" for ${entry.type} services.`);
    if (consumer.action.show) throw new ApiError(400, 'invalid_request', `"${request.action}" only shows how to use the service; there is nothing to do.`);
    if (entry.self) throw new ApiError(409, 'conflict', 'This service runs on this node itself.');
    const { definition, state, runtime } = await this.modules.hookContext(request.module);
    if (!state.running || !definition.hooks.consume) throw new ApiError(409, 'not_running', `Start ${consumer.title} first.`);
    await definition.hooks.consume(runtime, request.action, discovered(entry), request.mode);
    return (await this.views(entry.type)).find((view) => view.key === entry.key && view.module === request.module && view.action === request.action)!;
  }

  async requests(): Promise<IncomingRequestView[]> {
    const views: IncomingRequestView[] = [];
    for (const { manifest } of this.modules.definitions()) {
      if (!manifest.requests?.length) continue;
      const { definition, state, runtime } = await this.modules.hookContext(manifest.id);
      if (!state.running || !definition.hooks.incomingRequests) continue;
      const pending = await definition.hooks.incomingRequests(runtime).catch(() => []);
      for (const request of pending.slice(0, 100)) {
        const spec = manifest.requests.find((candidate) => candidate.kind === request.kind);
        if (spec) views.push({ module: manifest.id, moduleTitle: manifest.title, ...request, label: spec.label, acceptLabel: spec.acceptLabel });
      }
    }
    return views;
  }

  async accept(module: string, kind: string, id: string): Promise<void> {
    const { definition, state, runtime } = await this.modules.hookContext(module);
    if (!definition.manifest.requests?.some((spec) => spec.kind === kind)) throw new ApiError(400, 'invalid_request', `${module} has no requests of kind "${kind}".`);
    if (!state.running || !definition.hooks.acceptRequest) throw new ApiError(409, 'not_running', `Start ${definition.manifest.title} first.`);
    await definition.hooks.acceptRequest(runtime, kind, id);
  }
}
