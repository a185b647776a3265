// In-process publish/subscribe of panel events, fanned out to SSE clients.
import { EventEmitter } from 'node:events';

import type { PanelEvent } from '../shared/api-contract.ts';
import type { LocalizedOperation } from './operations.ts';

/** As published inside cloudyd: an operation carries its message in every language; each SSE client gets its own. */
export type NodeEvent = Exclude<PanelEvent, { type: 'operation' }> | { type: 'operation'; operation: LocalizedOperation };

export class EventBus {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  publish(event: NodeEvent): void {
    this.emitter.emit('event', event);
  }

  subscribe(listener: (event: NodeEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }
}
