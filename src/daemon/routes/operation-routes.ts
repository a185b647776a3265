// Operations and the live event stream (Server-Sent Events) that the panel and CLI follow.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';

import { Operation, OperationIdParams, replies } from '../../shared/api-contract.ts';
import type { EventBus } from '../event-bus.ts';
import { operationIn, type OperationStore } from '../operations.ts';
import { requestLanguage } from '../request-language.ts';

const KEEPALIVE_MS = 25_000;

export function registerOperationRoutes(app: FastifyInstance, deps: { operations: OperationStore; events: EventBus }): void {
  app.get('/api/operations', { schema: { response: replies(Type.Array(Operation)) } }, (request) => deps.operations.recent(50, requestLanguage(request)));

  app.get<{ Params: { id: string } }>('/api/operations/:id', { schema: { params: OperationIdParams, response: replies(Operation) } }, (request) =>
    deps.operations.get(request.params.id, requestLanguage(request)),
  );

  app.get('/api/events', { schema: { response: { 200: Type.String({ description: 'text/event-stream: operation and module events' }) } } }, (request, reply) => {
    reply.hijack();
    const stream = reply.raw;
    stream.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    stream.write('retry: 2000\n\n');
    const language = requestLanguage(request);
    const unsubscribe = deps.events.subscribe((event) => {
      const data =
        event.type === 'operation' ? operationIn(event.operation, language) : event.type === 'module' ? { module: event.module, state: event.state } : event.type === 'vpn' ? { network: event.network } : { visible: event.visible };
      stream.write(`event: ${event.type}\ndata: ${JSON.stringify(data)}\n\n`);
    });
    const keepalive = setInterval(() => stream.write(': keepalive\n\n'), KEEPALIVE_MS);
    request.raw.on('close', () => {
      clearInterval(keepalive);
      unsubscribe();
    });
  });
}
