// cloudyd's side of the helper protocol: one socket, requests matched to answers by id.
import net from 'node:net';

import type { HelperErrorCode, HelperMessage } from '../shared/helper-protocol.ts';

export class HelperError extends Error {
  override name = 'HelperError';
  constructor(
    readonly code: HelperErrorCode | 'unavailable',
    message: string,
  ) {
    super(message);
  }
}

export interface HelperProgress {
  percent?: number;
  message?: string;
}

/** apt on a slow community link may take very long; anything else answers in seconds or is stuck. */
const UNBOUNDED_ACTIONS = new Set(['packages.install', 'packages.remove', 'discovery.installAgent']);
const CALL_TIMEOUT_MS = 120_000;

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  onProgress?: (progress: HelperProgress) => void;
}

export class HelperClient {
  private socket?: net.Socket;
  private connecting?: Promise<net.Socket>;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private connectedBefore = false;
  /** Called when the helper is reachable again after it went away (it was restarted, its daemons with it). */
  onReconnect?: () => void;

  constructor(private readonly socketPath: string) {}

  async call<T = unknown>(action: string, args: Record<string, unknown> = {}, onProgress?: (progress: HelperProgress) => void): Promise<T> {
    const socket = await this.connect();
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = UNBOUNDED_ACTIONS.has(action)
        ? undefined
        : setTimeout(() => {
            this.pending.delete(id);
            reject(new HelperError('unavailable', `the privileged helper did not answer ${action} within ${CALL_TIMEOUT_MS / 1000} s`));
          }, CALL_TIMEOUT_MS);
      const settle = <V>(finish: (value: V) => void) => (value: V) => {
        clearTimeout(timer);
        finish(value);
      };
      this.pending.set(id, { resolve: settle(resolve as (value: unknown) => void), reject: settle(reject), onProgress });
      socket.write(`${JSON.stringify({ id, action, args })}\n`);
    });
  }

  close(): void {
    this.socket?.destroy();
  }

  private connect(): Promise<net.Socket> {
    if (this.socket && !this.socket.destroyed) return Promise.resolve(this.socket);
    this.connecting ??= new Promise<net.Socket>((resolve, reject) => {
      const socket = net.connect(this.socketPath);
      socket.once('connect', () => {
        this.socket = socket;
        this.connecting = undefined;
        resolve(socket);
        if (this.connectedBefore) setImmediate(() => this.onReconnect?.());
        this.connectedBefore = true;
      });
      socket.once('error', (error) => {
        this.connecting = undefined;
        reject(new HelperError('unavailable', `the privileged helper is not reachable (${error.message})`));
      });
      socket.on('close', () => this.failAll('the connection to the privileged helper closed'));
      let buffered = '';
      socket.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('utf8');
        let newline: number;
        while ((newline = buffered.indexOf('\n')) !== -1) {
          const line = buffered.slice(0, newline);
          buffered = buffered.slice(newline + 1);
          try {
            this.dispatch(JSON.parse(line) as HelperMessage);
          } catch {
            socket.destroy(new Error('the helper sent a malformed message'));
          }
        }
      });
    });
    return this.connecting;
  }

  private dispatch(message: HelperMessage): void {
    // Id 0 answers a request the helper could not even read (e.g. too large): it ends the connection.
    if (message.id === 0 && message.type === 'result' && !message.ok) return this.failAll(message.error.message, message.error.code);
    const waiting = this.pending.get(message.id);
    if (!waiting) return;
    if (message.type === 'progress') return waiting.onProgress?.({ percent: message.percent, message: message.message });
    this.pending.delete(message.id);
    if (message.ok) waiting.resolve(message.result);
    else waiting.reject(new HelperError(message.error.code, message.error.message));
  }

  private failAll(reason: string, code: HelperError['code'] = 'unavailable'): void {
    for (const [id, waiting] of this.pending) {
      this.pending.delete(id);
      waiting.reject(new HelperError(code, reason));
    }
  }
}
