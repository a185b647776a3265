// Typed client for a Serf agent's msgpack RPC (hashicorp/serf docs/agent/rpc.html.markdown): calls, event streams, queries.
import net from 'node:net';

import { decodeMultiStream, encode } from '@msgpack/msgpack';

import {
  describeAgentError, isWireRecord, parseCoordinate, parseMembers, parseQueryRecord, parseResponseHeader, parseStats, parseStreamEvent, replyBodyFollows,
  SERF_DECODER_OPTIONS, type SerfCoordinate, type SerfMember, type SerfQueryResponse, type SerfStreamEvent,
} from './serf-rpc-codec.ts';

export { estimateRttSeconds } from './serf-rpc-codec.ts';
export type { SerfCoordinate, SerfMember, SerfQueryResponse, SerfStreamEvent } from './serf-rpc-codec.ts';

export class SerfRpcError extends Error {
  override name = 'SerfRpcError';
  /** `command` is the RPC command that failed; `agentError` the agent's own error text, when it sent one. */
  constructor(message: string, readonly command?: string, readonly agentError?: string) {
    super(message);
  }
}

const DEFAULT_TIMEOUT_MS = 5000;

const agentRefusal = (command: string, agentError: string) => new SerfRpcError(describeAgentError(command, agentError), command, agentError);

/** What to do with the messages that arrive under one Seq. */
interface SeqHandler {
  /** Whether a body follows this header: rpc.html.markdown lists which replies have one; the stream does not say. */
  bodyFollows(error: string): boolean;
  deliver(error: string, body: unknown): void;
  fail(error: SerfRpcError): void;
}

/** Hands an event to caller code; a throwing listener surfaces like an EventEmitter's, without stopping the reader. */
function notify<T>(listener: (value: T) => void, value: T): void {
  try {
    listener(value);
  } catch (error) {
    queueMicrotask(() => { throw error; });
  }
}

function openSocket(host: string, port: number, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    const fail = (reason: string) => {
      clearTimeout(timer);
      socket.destroy();
      reject(new SerfRpcError(`Could not connect to the Serf agent's RPC address ${host}:${port}: ${reason}. Check that the agent runs with this rpc_addr.`));
    };
    const timer = setTimeout(() => fail(`no connection within ${timeoutMs} ms`), timeoutMs);
    socket.once('error', (error) => fail(error.message));
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      socket.setNoDelay(true);
      resolve(socket);
    });
  });
}

export class SerfRpcClient {
  private nextSeq = 0;
  private readonly handlers = new Map<number, SeqHandler>();
  private readonly closeListeners: Array<(error?: Error) => void> = [];
  private closed: { error: SerfRpcError; byUs: boolean } | undefined;

  private constructor(private readonly socket: net.Socket, private readonly timeoutMs: number) {
    // Errors also end the read loop below; this listener only keeps a late one from becoming an uncaught exception.
    socket.on('error', () => undefined);
    void this.readLoop();
  }

  /**
   * Connects, performs the mandatory `handshake {Version: 1}` and, when authKey is given, `auth {AuthKey}`.
   * `timeoutMs` (default 5 s) bounds the connection attempt and every later call.
   */
  static async connect(options: { host: string; port: number; authKey?: string; timeoutMs?: number }): Promise<SerfRpcClient> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const client = new SerfRpcClient(await openSocket(options.host, options.port, timeoutMs), timeoutMs);
    try {
      await client.request('handshake', { Version: 1 }, false);
      if (options.authKey !== undefined) await client.request('auth', { AuthKey: options.authKey }, false);
    } catch (error) {
      client.close();
      throw error;
    }
    return client;
  }

  async members(): Promise<SerfMember[]> {
    const body = await this.request('members', undefined, true);
    if (!isWireRecord(body) || !('Members' in body)) throw this.malformed('members');
    return parseMembers(body.Members);
  }

  /** Adds or replaces `tags` and removes `deleteTags`; the agent refuses when all tags together exceed 512 bytes. */
  async setTags(tags: Record<string, string>, deleteTags: string[] = []): Promise<void> {
    await this.request('tags', { Tags: tags, DeleteTags: deleteTags }, false);
  }

  /** Joins the cluster through `host:port` addresses; resolves with the number of nodes contacted successfully. */
  async join(addresses: string[], replay = false): Promise<number> {
    const body = await this.request('join', { Existing: addresses, Replay: replay }, true);
    if (!isWireRecord(body) || typeof body.Num !== 'number') throw this.malformed('join');
    return body.Num;
  }

  /** Fires a user event; coalescing is on by default, as with `serf event`. */
  async userEvent(name: string, payload: Buffer, coalesce = true): Promise<void> {
    await this.request('event', { Name: name, Payload: payload, Coalesce: coalesce }, false);
  }

  /**
   * Subscribes to events matching `type` (event-handler syntax, e.g. 'member-join,user:cloudy,query', or '*').
   * The agent buffers 512 events per stream and drops the rest silently: re-read `members` now and then.
   */
  async stream(type: string, onEvent: (event: SerfStreamEvent) => void): Promise<{ stop(): Promise<void> }> {
    const seq = await this.subscribe('stream', { Type: type }, (record) => {
      const event = parseStreamEvent(record);
      if (event) notify(onEvent, event);
    }, () => undefined);
    let stopping: Promise<void> | undefined;
    return { stop: () => (stopping ??= this.stopStream(seq)) };
  }

  /**
   * Runs a query and collects the responses. Resolves when the agent sends `done` (at the query's deadline) or as
   * soon as `maxResponses` responses arrived. The RPC has no way to end a query early (`stop` only ends event
   * streams and monitors, ipc.go handleStop), so we stop listening and let the agent's remaining records be skipped.
   */
  query(options: {
    name: string; payload: Buffer; filterNodes?: string[]; filterTags?: Record<string, string>; timeoutMs: number; maxResponses?: number;
  }): Promise<SerfQueryResponse[]> {
    const { timeoutMs, maxResponses } = options;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      return Promise.reject(new SerfRpcError(`query timeoutMs must be a positive number of milliseconds, got ${timeoutMs}.`, 'query'));
    }
    const responses: SerfQueryResponse[] = [];
    return new Promise((resolve, reject) => {
      let seq: number | undefined;
      let settled = false;
      const finish = (error?: SerfRpcError) => {
        settled = true;
        clearTimeout(deadline);
        if (seq !== undefined) this.handlers.delete(seq);
        if (error) reject(error);
        else resolve(responses);
      };
      const deadline = setTimeout(() => finish(new SerfRpcError(
        `The Serf agent did not end query "${options.name}" within ${timeoutMs + this.timeoutMs} ms.`, 'query')), timeoutMs + this.timeoutMs);
      const body = {
        Name: options.name, Payload: options.payload, FilterNodes: options.filterNodes ?? [], FilterTags: options.filterTags ?? {},
        RequestAck: false, Timeout: Math.ceil(timeoutMs) * 1_000_000, // nanoseconds (Go time.Duration)
      };
      this.subscribe('query', body, (raw) => {
        const record = parseQueryRecord(raw);
        if (record?.type === 'done') finish();
        if (record?.type !== 'response') return;
        responses.push({ from: record.from, payload: record.payload });
        if (maxResponses !== undefined && responses.length >= maxResponses) finish();
      }, finish).then((opened) => {
        seq = opened;
        if (settled) this.handlers.delete(opened);
      }, finish);
    });
  }

  /** Answers a query received through `stream` on this connection; `id` is only valid here and until the deadline. */
  async respond(id: number, payload: Buffer): Promise<void> {
    await this.request('respond', { ID: id, Payload: payload }, false);
  }

  /** The agent's cached coordinate of `node`; null when it has none (coordinates off, or never in contact). */
  async getCoordinate(node: string): Promise<SerfCoordinate | null> {
    const body = await this.request('get-coordinate', { Node: node }, true);
    if (!isWireRecord(body)) throw this.malformed('get-coordinate');
    return body.Ok === true ? parseCoordinate(body.Coord) ?? null : null;
  }

  async stats(): Promise<Record<string, Record<string, string>>> {
    return parseStats(await this.request('stats', undefined, true));
  }

  /** Closes the connection; pending calls fail with SerfRpcError, close listeners get no error. */
  close(): void {
    this.shutdown(new SerfRpcError('The Serf RPC connection was closed by this client.'), true);
  }

  /** Called once when the connection ends: with an error when the agent went away, without one after close(). */
  onClose(listener: (error?: Error) => void): void {
    const { closed } = this;
    if (closed) queueMicrotask(() => listener(closed.byUs ? undefined : closed.error));
    else this.closeListeners.push(listener);
  }

  private malformed(command: string): SerfRpcError {
    return new SerfRpcError(`The Serf agent answered "${command}" with a body this client does not understand.`, command);
  }

  private send(command: string, seq: number, body: object | undefined): void {
    const header = encode({ Command: command, Seq: seq });
    this.socket.write(body === undefined ? header : Buffer.concat([header, encode(body, { ignoreUndefined: true })]));
  }

  /** One request, one reply; the reply's body, if the command has one, is the result. */
  private request(command: string, body: object | undefined, replyHasBody: boolean): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(this.closed.error);
      const seq = this.nextSeq++;
      const timer = setTimeout(() => {
        this.handlers.delete(seq);
        reject(new SerfRpcError(`The Serf agent did not answer "${command}" within ${this.timeoutMs} ms.`, command));
      }, this.timeoutMs);
      this.handlers.set(seq, {
        bodyFollows: (error) => replyHasBody && replyBodyFollows(command, error),
        deliver: (error, reply) => {
          clearTimeout(timer);
          this.handlers.delete(seq);
          if (error) reject(agentRefusal(command, error));
          else resolve(reply);
        },
        fail: (error) => { clearTimeout(timer); reject(error); },
      });
      this.send(command, seq, body);
    });
  }

  /**
   * Opens a `stream` or `query`: resolves with its Seq once the agent acknowledges with a bare header; every later
   * message under that Seq is a header plus a record (rpc.html.markdown, "stream" and "query").
   */
  private subscribe(command: string, body: object, onRecord: (record: unknown) => void, onEnd: (error: SerfRpcError) => void): Promise<number> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(this.closed.error);
      const seq = this.nextSeq++;
      let acknowledged = false;
      const timer = setTimeout(() => {
        this.handlers.delete(seq);
        reject(new SerfRpcError(`The Serf agent did not acknowledge "${command}" within ${this.timeoutMs} ms.`, command));
      }, this.timeoutMs);
      this.handlers.set(seq, {
        bodyFollows: () => acknowledged,
        deliver: (error, record) => {
          if (acknowledged) return onRecord(record);
          clearTimeout(timer);
          acknowledged = true;
          if (!error) return resolve(seq);
          this.handlers.delete(seq);
          reject(agentRefusal(command, error));
        },
        fail: (error) => {
          clearTimeout(timer);
          if (acknowledged) onEnd(error);
          else reject(error);
        },
      });
      this.send(command, seq, body);
    });
  }

  private async stopStream(seq: number): Promise<void> {
    // Events the agent had already queued may still arrive; without a handler the reader skips them.
    this.handlers.delete(seq);
    if (!this.closed) await this.request('stop', { Stop: seq }, false);
  }

  /**
   * Splits the TCP stream into msgpack objects; there is no length prefix, so whether an object after a header is a
   * body depends on the command (SeqHandler.bodyFollows). For a Seq nobody waits on any more (a call that timed out,
   * a stopped stream, a query we left early) the next object's shape decides: a body never looks like a header.
   */
  private async readLoop(): Promise<void> {
    let pending: { seq: number; error: string } | undefined;
    let failure: SerfRpcError;
    try {
      for await (const message of decodeMultiStream(this.socket, SERF_DECODER_OPTIONS)) {
        const header = parseResponseHeader(message);
        if (pending) {
          const { seq, error } = pending;
          pending = undefined;
          this.handlers.get(seq)?.deliver(error, header ? undefined : message);
          if (!header) continue;
        }
        if (!header) throw new SerfRpcError('The Serf agent sent a message that is not an RPC response header.');
        const handler = this.handlers.get(header.seq);
        if (!handler || handler.bodyFollows(header.error)) pending = header;
        else handler.deliver(header.error, undefined);
      }
      failure = new SerfRpcError('The Serf agent closed the RPC connection.');
    } catch (error) {
      failure = error instanceof SerfRpcError ? error
        : new SerfRpcError(`The Serf RPC connection failed: ${(error as Error).message}.`);
    }
    this.shutdown(failure, false);
  }

  private shutdown(error: SerfRpcError, byUs: boolean): void {
    if (this.closed) return;
    this.closed = { error, byUs };
    this.socket.destroy();
    const handlers = [...this.handlers.values()];
    this.handlers.clear();
    for (const handler of handlers) handler.fail(error);
    for (const listener of this.closeListeners.splice(0)) notify(listener, byUs ? undefined : error);
  }
}
