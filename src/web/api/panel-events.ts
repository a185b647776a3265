// One shared EventSource on /api/events that fans operation, module, discovery and vpn events out to subscribers.
import type { ModuleState, Operation, PanelEvent } from '../../shared/api-contract.ts';

type Listener = (event: PanelEvent) => void;

/** After the server closes the stream (restart, lost session), try again this much later. */
const RECONNECT_DELAY_MS = 5000;

class PanelEventStream {
  private source: EventSource | null = null;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly listeners = new Set<Listener>();

  /** True while events flow; watchers poll instead when it is false. */
  get connected(): boolean {
    return this.source?.readyState === EventSource.OPEN;
  }

  open(): void {
    this.close();
    const source = new EventSource('/api/events');
    source.addEventListener('operation', (event: MessageEvent<string>) => {
      this.emit({ type: 'operation', operation: JSON.parse(event.data) as Operation });
    });
    source.addEventListener('module', (event: MessageEvent<string>) => {
      const data = JSON.parse(event.data) as { module: string; state: ModuleState };
      this.emit({ type: 'module', module: data.module, state: data.state });
    });
    source.addEventListener('discovery', (event: MessageEvent<string>) => {
      const data = JSON.parse(event.data) as { visible: { services: number; nodes: number } };
      this.emit({ type: 'discovery', visible: data.visible });
    });
    source.addEventListener('vpn', (event: MessageEvent<string>) => {
      const data = JSON.parse(event.data) as { network: string };
      this.emit({ type: 'vpn', network: data.network });
    });
    // EventSource retries by itself while CONNECTING; once CLOSED it never will, so we do.
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) {
        this.reconnectTimer = setTimeout(() => this.open(), RECONNECT_DELAY_MS);
      }
    };
    this.source = source;
  }

  close(): void {
    clearTimeout(this.reconnectTimer);
    this.source?.close();
    this.source = null;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: PanelEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}

export const panelEvents = new PanelEventStream();
