// Fetch wrapper for the cloudyd JSON API: same-origin cookies, the CSRF header and typed errors.
import type { ErrorReply } from '../../shared/api-contract.ts';
import { CSRF_HEADER } from '../../shared/http-names.ts';
import { t } from '../i18n/i18n.ts';

/** A failed API call, carrying the server's sentence for the user and its per-field messages. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

interface RequestOptions {
  body?: unknown;
  /** The caller handles 401 itself (login, setup, session probe) instead of signing the panel out. */
  handlesUnauthorized?: boolean;
}

let csrfToken = '';
let sessionLostListener: () => void = () => {};

export function setCsrfToken(token: string): void {
  csrfToken = token;
}

/** Called when an authenticated request comes back 401: the session expired or was revoked. */
export function onSessionLost(listener: () => void): void {
  sessionLostListener = listener;
}

export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  return new ApiError(0, 'client', error instanceof Error ? error.message : String(error));
}

export async function request<T>(method: Method, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken !== '') headers[CSRF_HEADER] = csrfToken;
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: options.body === undefined ? null : JSON.stringify(options.body),
    });
  } catch {
    throw new ApiError(0, 'network', t('error.network'));
  }
  if (response.status === 401 && options.handlesUnauthorized !== true) sessionLostListener();
  if (!response.ok) throw await errorFromResponse(response);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

async function errorFromResponse(response: Response): Promise<ApiError> {
  try {
    const reply = (await response.json()) as Partial<ErrorReply>;
    if (typeof reply.message === 'string') {
      return new ApiError(response.status, reply.error ?? 'error', reply.message, reply.fields ?? {});
    }
  } catch {
    // Not JSON (a proxy's error page, say): fall through to a generic sentence.
  }
  return new ApiError(response.status, 'http', t('error.http', { status: response.status }));
}
