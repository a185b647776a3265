// Talks to a node's API the way the panel does: session cookie, CSRF header, self-signed certificate.
import https from 'node:https';

import type { SessionInfo } from '../../src/shared/api-contract.ts';
import { EventStreamParser } from '../../src/shared/event-stream.ts';
import { CSRF_HEADER, SESSION_COOKIE } from '../../src/shared/http-names.ts';

export interface Reply<T = any> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: T;
}

/** @param options.localAddress the client's source address, e.g. 127.0.0.2 to be another machine on loopback. */
export function rawRequest(baseUrl: string, method: string, path: string, options: { headers?: Record<string, string>; body?: unknown; localAddress?: string } = {}): Promise<Reply> {
  const payload = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const request = https.request(
      `${baseUrl}${path}`,
      { method, rejectUnauthorized: false, localAddress: options.localAddress, headers: { ...(payload ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) } : {}), ...options.headers } },
      (response) => {
        let text = '';
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () => {
          let body: unknown = text;
          try {
            body = text ? JSON.parse(text) : null;
          } catch {
            // Not JSON (an HTML page, an event stream): keep the text.
          }
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body });
        });
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

export class PanelSession {
  cookie = '';
  csrfToken = '';

  constructor(
    readonly baseUrl: string,
    /** Source address of every request, to appear as another client (see rawRequest). */
    readonly localAddress?: string,
  ) {}

  request<T = any>(method: string, path: string, body?: unknown, extraHeaders: Record<string, string> = {}): Promise<Reply<T>> {
    const headers: Record<string, string> = { ...extraHeaders };
    if (this.cookie) headers.cookie = this.cookie;
    if (this.csrfToken && method !== 'GET') headers[CSRF_HEADER] = this.csrfToken;
    return rawRequest(this.baseUrl, method, path, { headers, body, localAddress: this.localAddress });
  }

  private adopt(reply: Reply<SessionInfo>): Reply<SessionInfo> {
    const setCookie = ([] as string[]).concat(reply.headers['set-cookie'] ?? []);
    const session = setCookie.find((cookie) => cookie.startsWith(`${SESSION_COOKIE}=`));
    if (session) this.cookie = session.split(';')[0]!;
    if (reply.status === 200) this.csrfToken = reply.body.csrfToken;
    return reply;
  }

  async setup(setupCode: string, username = 'admin', password = 'correct horse battery'): Promise<Reply<SessionInfo>> {
    return this.adopt(await this.request<SessionInfo>('POST', '/api/setup', { setupCode, username, password }));
  }

  async login(username: string, password: string): Promise<Reply<SessionInfo>> {
    return this.adopt(await this.request<SessionInfo>('POST', '/api/session', { username, password }));
  }

  /** Waits for an operation to settle by polling (tests of the event stream live elsewhere). */
  async waitForOperation(operationId: string, timeoutMs = 180_000): Promise<any> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { body } = await this.request('GET', `/api/operations/${operationId}`);
      if (body.state === 'completed' || body.state === 'failed') return body;
      if (Date.now() > deadline) throw new Error(`operation ${operationId} still ${body.state}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/** Collects server-sent events from /api/events until closed. */
export function openEventStream(session: PanelSession): { events: Array<{ type: string; data: any }>; close(): void } {
  const events: Array<{ type: string; data: any }> = [];
  const request = https.request(`${session.baseUrl}/api/events`, { rejectUnauthorized: false, headers: { cookie: session.cookie } }, (response) => {
    const parser = new EventStreamParser();
    response.on('data', (chunk) => events.push(...(parser.push(String(chunk)) as Array<{ type: string; data: any }>)));
    response.on('error', () => undefined);
  });
  request.on('error', () => undefined);
  request.end();
  return { events, close: () => request.destroy() };
}
