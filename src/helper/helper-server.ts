// Serves the helper protocol on a unix socket: size limit, parse, resolve, audit, run, answer.
import { chmod, chown, rm } from 'node:fs/promises';
import net from 'node:net';

import type { ActionContext, ProgressUpdate } from '../kit/privileged-action.ts';
import { MAX_REQUEST_BYTES, type HelperMessage } from '../shared/helper-protocol.ts';
import { HelperRejection, type ActionRegistry } from './action-registry.ts';
import type { AuditLog } from './audit-log.ts';
import { PathNotDeclaredError } from './system-door.ts';

/** How long a refused oversized request may keep arriving (discarded) before the socket is destroyed. */
const OVERSIZE_DRAIN_MS = 5000;

export interface HelperServerOptions {
  socketPath: string;
  /** Group allowed to connect (socket mode 0660, owner root). */
  socketGid: number;
  registry: ActionRegistry;
  audit: AuditLog;
  context: Omit<ActionContext, 'progress'>;
}

export class HelperServer {
  private server?: net.Server;
  private readonly connections = new Set<net.Socket>();

  constructor(private readonly options: HelperServerOptions) {}

  async listen(): Promise<void> {
    await rm(this.options.socketPath, { force: true });
    const server = net.createServer((socket) => this.serve(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.socketPath, resolve);
    });
    // Trust comes from the socket's owner, group and mode: Node cannot read SO_PEERCRED.
    await chown(this.options.socketPath, 0, this.options.socketGid);
    await chmod(this.options.socketPath, 0o660);
    this.server = server;
  }

  async close(): Promise<void> {
    for (const socket of this.connections) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private serve(socket: net.Socket): void {
    this.connections.add(socket);
    socket.on('close', () => this.connections.delete(socket));
    socket.on('error', () => socket.destroy());
    // The pieces of the line still without its newline; joined once, when it ends (a 4 MiB line arrives in many chunks).
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    socket.on('data', (chunk: Buffer) => {
      if (socket.readableEnded || socket.writableEnded) return;
      let start = 0;
      let newline: number;
      while ((newline = chunk.indexOf(0x0a, start)) !== -1) {
        const line = Buffer.concat([...pending, chunk.subarray(start, newline)]);
        pending = [];
        pendingBytes = 0;
        start = newline + 1;
        if (line.length > MAX_REQUEST_BYTES) return this.refuseOversize(socket);
        void this.handleLine(socket, line.toString('utf8'));
      }
      if (start < chunk.length) {
        pending.push(chunk.subarray(start));
        pendingBytes += chunk.length - start;
      }
      if (pendingBytes > MAX_REQUEST_BYTES) this.refuseOversize(socket);
    });
  }

  private refuseOversize(socket: net.Socket): void {
    this.options.audit.write({ action: '?', args: {}, secretArgs: [], outcome: 'rejected', detail: 'request too large' });
    send(socket, { id: 0, type: 'result', ok: false, error: { code: 'too_large', message: `requests are limited to ${MAX_REQUEST_BYTES} bytes` } });
    socket.end();
    // What else arrives is discarded unparsed (the data handler returns once the socket is ended), so a client still
    // writing a large line can finish and see the answer; one that keeps writing is cut off.
    setTimeout(() => socket.destroy(), OVERSIZE_DRAIN_MS).unref();
  }

  private async handleLine(socket: net.Socket, line: string): Promise<void> {
    let request: { id?: unknown; action?: unknown; args?: unknown };
    try {
      request = JSON.parse(line);
    } catch {
      return send(socket, { id: 0, type: 'result', ok: false, error: { code: 'bad_request', message: 'the request is not valid JSON' } });
    }
    if (!request || typeof request !== 'object' || Array.isArray(request)) {
      return send(socket, { id: 0, type: 'result', ok: false, error: { code: 'bad_request', message: 'the request must be a JSON object' } });
    }
    const id = typeof request.id === 'number' && Number.isSafeInteger(request.id) ? request.id : 0;
    const actionName = typeof request.action === 'string' ? request.action.slice(0, 100) : '?';
    const rawArgs = request.args && typeof request.args === 'object' ? (request.args as Record<string, unknown>) : {};
    let secretArgs: string[] = [];
    const started = Date.now();
    try {
      const { action, args } = this.options.registry.resolve(request.action, request.args);
      secretArgs = action.secretArgs ?? [];
      const progress = (update: ProgressUpdate) => send(socket, { id, type: 'progress', ...update });
      const result = await action.run(args, { ...this.options.context, progress });
      this.options.audit.write({ action: actionName, args, secretArgs, outcome: 'ok', durationMs: Date.now() - started });
      send(socket, { id, type: 'result', ok: true, result: result ?? null });
    } catch (error) {
      const rejection = asRejection(error);
      const outcome = rejection.code === 'failed' ? 'failed' : 'rejected';
      // Unknown or malformed requests have no declared secrets: redact every argument value.
      const redactAll = secretArgs.length === 0 && outcome === 'rejected' ? Object.keys(rawArgs) : secretArgs;
      this.options.audit.write({ action: actionName, args: rawArgs, secretArgs: redactAll, outcome, detail: rejection.message, durationMs: Date.now() - started });
      send(socket, { id, type: 'result', ok: false, error: { code: rejection.code, message: rejection.message } });
    }
  }
}

function asRejection(error: unknown): HelperRejection {
  if (error instanceof HelperRejection) return error;
  if (error instanceof PathNotDeclaredError) return new HelperRejection('not_declared', error.message);
  return new HelperRejection('failed', error instanceof Error ? error.message : String(error));
}

function send(socket: net.Socket, message: HelperMessage): void {
  if (!socket.destroyed) socket.write(`${JSON.stringify(message)}\n`);
}
