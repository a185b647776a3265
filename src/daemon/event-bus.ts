// In-process publish/subscribe of panel events, fanned out to SSE clients.
import { EventEmitter } from 'node:events';

import type { PanelEvent } from '../shared/api-contract.ts';

export class EventBus {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  publish(event: PanelEvent): void {
    this.emitter.emit('event', event);
  }

  subscribe(listener: (event: PanelEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }
}
