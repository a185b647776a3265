// The CLI's HTTPS client: trusts exactly this node's certificate and authenticates with the local CLI token.
import { readFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';

import { EventStreamParser } from '../shared/event-stream.ts';
import { nodeLayout } from '../shared/node-layout.ts';

export class PanelRequestError extends Error {
  override name = 'PanelRequestError';
  constructor(
    readonly status: number,
    message: string,
    readonly fields?: Record<string, string>,
  ) {
    super(message);
  }
}

/**
 * The user's language from the locale variables, in POSIX precedence (LC_ALL, then LC_MESSAGES, then LANG): `ca_ES.UTF-8`
 * asks for Catalan. The node answers in English when it does not have the language; `C` and `POSIX` are English.
 */
export function localeLanguage(env: NodeJS.ProcessEnv = process.env): string {
  const locale = [env.LC_ALL, env.LC_MESSAGES, env.LANG].find((value) => value !== undefined && value !== '') ?? '';
  const language = /^([a-z]{2,3})(?:[_.@-]|$)/i.exec(locale)?.[1]?.toLowerCase();
  return language ?? 'en';
}

export class PanelClient {
  private readonly ca: Buffer;
  private readonly token: string;
  readonly port: number;
  readonly host: string;

  constructor(root: string) {
    const layout = nodeLayout(root);
    try {
      this.ca = readFileSync(layout.tlsCertFile);
      this.token = readFileSync(layout.cliTokenFile, 'utf8').trim();
      const state = JSON.parse(readFileSync(layout.endpointFile, 'utf8')) as { httpsPort: number; listen: string };
      this.port = state.httpsPort;
      // A node listening on every address is reached on loopback; otherwise on the one it listens on.
      this.host = state.listen === '0.0.0.0' || state.listen === '::' ? '127.0.0.1' : state.listen;
    } catch (error) {
      throw new Error(`no running Cloudy node under ${root} (${(error as Error).message}); start it with "cloudy start" as root`);
    }
  }

  private open(method: string, urlPath: string, body?: unknown): Promise<import('node:http').IncomingMessage> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const request = https.request(
        {
          host: this.host,
          port: this.port,
          method,
          path: urlPath,
          ca: this.ca,
          // The certificate names the host, not 127.0.0.1; pinning the exact certificate is the stronger check.
          checkServerIdentity: () => undefined,
          headers: { authorization: `Bearer ${this.token}`, 'accept-language': localeLanguage(), ...(payload ? { 'content-type': 'application/json' } : {}) },
        },
        resolve,
      );
      request.on('error', reject);
      request.end(payload);
    });
  }

  async request<T>(method: string, urlPath: string, body?: unknown): Promise<T> {
    const response = await this.open(method, urlPath, body);
    let text = '';
    for await (const chunk of response) text += chunk;
    const parsed = text ? (JSON.parse(text) as T & { message?: string; fields?: Record<string, string> }) : (null as T);
    if ((response.statusCode ?? 500) >= 400) {
      const failure = parsed as { message?: string; fields?: Record<string, string> } | null;
      throw new PanelRequestError(response.statusCode ?? 500, failure?.message ?? `HTTP ${response.statusCode}`, failure?.fields);
    }
    return parsed;
  }

  /** Follows the server-sent event stream, calling `onEvent` until it returns true. */
  async followEvents(onEvent: (type: string, data: unknown) => boolean): Promise<void> {
    const response = await this.open('GET', '/api/events');
    const parser = new EventStreamParser();
    for await (const chunk of response) {
      for (const event of parser.push(String(chunk))) {
        if (onEvent(event.type, event.data)) {
          response.destroy();
          return;
        }
      }
    }
  }
}
