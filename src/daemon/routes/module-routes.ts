// Thin routes over the module lifecycle: validate the request, call ModuleService, answer.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';

import {
  CollectionItemView,
  CollectionParams,
  ConfigUpdateRequest,
  DiagnosticCheck,
  ItemChangeReply,
  ItemParams,
  ItemPutRequest,
  LogLine,
  ModuleDetail,
  ModuleIdParams,
  ModuleSummary,
  OperationAccepted,
  replies,
} from '../../shared/api-contract.ts';
import { HISTORY_RANGES, ModuleGraphs, ModuleGraphsQuery } from '../../shared/metrics-contract.ts';
import type { ModuleService } from '../module-service.ts';
import { requestLanguage } from '../request-language.ts';

type IdRequest = { Params: { id: string } };
type CollectionRequest = { Params: { id: string; collection: string } };
type ItemRequest = { Params: { id: string; collection: string; key: string } };

export function registerModuleRoutes(app: FastifyInstance, modules: ModuleService): void {
  app.get('/api/modules', { schema: { response: replies(Type.Array(ModuleSummary)) } }, (request) => modules.list(requestLanguage(request)));

  app.get<IdRequest>('/api/modules/:id', { schema: { params: ModuleIdParams, response: replies(ModuleDetail) } }, (request) => modules.detail(request.params.id, requestLanguage(request)));

  app.put<IdRequest & { Body: ConfigUpdateRequest }>(
    '/api/modules/:id/config',
    { config: { access: 'admin' }, schema: { params: ModuleIdParams, body: ConfigUpdateRequest, response: replies(ModuleDetail) } },
    async (request) => {
      modules.saveConfig(request.params.id, request.body.values, requestLanguage(request));
      return modules.detail(request.params.id, requestLanguage(request));
    },
  );

  const lifecycle = { install: modules.install, start: modules.start, stop: modules.stop, uninstall: modules.uninstall } as const;
  for (const [verb, action] of Object.entries(lifecycle)) {
    app.post<IdRequest>(
      `/api/modules/:id/${verb}`,
      { config: { access: 'admin' }, schema: { params: ModuleIdParams, response: replies(OperationAccepted, 202) } },
      async (request, reply) => reply.code(202).send({ operationId: action.call(modules, request.params.id).id }),
    );
  }

  app.get<IdRequest>('/api/modules/:id/diagnostics', { schema: { params: ModuleIdParams, response: replies(Type.Array(DiagnosticCheck)) } }, (request) =>
    modules.diagnostics(request.params.id, requestLanguage(request)),
  );

  app.get<CollectionRequest>(
    '/api/modules/:id/collections/:collection',
    { schema: { params: CollectionParams, response: replies(Type.Array(CollectionItemView)) } },
    (request) => modules.items(request.params.id, request.params.collection),
  );

  app.put<ItemRequest & { Body: ItemPutRequest }>(
    '/api/modules/:id/collections/:collection/:key',
    { config: { access: 'admin' }, schema: { params: ItemParams, body: ItemPutRequest, response: replies(ItemChangeReply) } },
    (request) => modules.putItem(request.params.id, request.params.collection, request.params.key, request.body, requestLanguage(request)),
  );

  app.delete<ItemRequest>(
    '/api/modules/:id/collections/:collection/:key',
    { config: { access: 'admin' }, schema: { params: ItemParams, response: replies(ItemChangeReply) } },
    (request) => modules.removeItem(request.params.id, request.params.collection, request.params.key),
  );

  app.get<IdRequest & { Querystring: ModuleGraphsQuery }>(
    '/api/modules/:id/graphs',
    { schema: { params: ModuleIdParams, querystring: ModuleGraphsQuery, response: replies(ModuleGraphs) } },
    (request) => modules.graphs(request.params.id, request.query.range as keyof typeof HISTORY_RANGES, request.query.group, requestLanguage(request)),
  );

  app.get<IdRequest>('/api/modules/:id/logs', { schema: { params: ModuleIdParams, response: replies(Type.Array(LogLine)) } }, (request) => modules.logs(request.params.id));
}
