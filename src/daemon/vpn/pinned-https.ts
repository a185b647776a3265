// JSON over HTTPS to a node whose self-signed certificate is known only by its SHA-256 (from a join token).
import { createHash, X509Certificate } from 'node:crypto';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';

export class PinnedRequestError extends Error {
  override name = 'PinnedRequestError';
  constructor(
    message: string,
    /** HTTP status, or 0 when no answer came (connection, timeout, certificate). */
    readonly status: number,
    readonly code = '',
  ) {
    super(message);
  }
}

const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** What a server presented: base64url SHA-256 of its certificate (DER) and of its public key (SPKI, DER). */
export interface ServerPins {
  pin: string;
  keyPin: string;
}

/** The pins of a certificate as `getPeerCertificate().raw` gives it. */
export function serverPins(certificateDer: Buffer): ServerPins {
  const certificate = new X509Certificate(certificateDer);
  const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('base64url');
  return { pin: sha256(certificate.raw), keyPin: sha256(certificate.publicKey.export({ type: 'spki', format: 'der' })) };
}

export interface PinnedRequest {
  url: string;
  /** base64url SHA-256 of the server certificate (DER). */
  pin: string;
  /**
   * base64url SHA-256 of the server's public key: a certificate reissued with the same key (after a hostname change)
   * is accepted too. The TLS handshake proves the server holds that key's private half.
   */
  keyPin?: string | null;
  /** Told what the server presented once it was accepted, before the request is sent. */
  onTrusted?: (presented: ServerPins) => void;
  method: 'GET' | 'POST' | 'DELETE';
  body?: unknown;
  bearer?: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** The certificate is compared with the pin before the request body is sent or a byte of the answer is read. */
export function pinnedJson<T>(request: PinnedRequest): Promise<T> {
  const url = new URL(request.url);
  if (url.protocol !== 'https:') return Promise.reject(new PinnedRequestError(`${request.url} is not an https:// URL`, 0));
  const payload = request.body === undefined ? undefined : JSON.stringify(request.body);
  return new Promise((resolve, reject) => {
    const outgoing = https.request(
      {
        host: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port || 443,
        path: `${url.pathname}${url.search}`,
        method: request.method,
        rejectUnauthorized: false,
        agent: false,
        timeout: request.timeoutMs,
        signal: request.signal,
        headers: {
          accept: 'application/json',
          ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
          ...(request.bearer ? { authorization: `Bearer ${request.bearer}` } : {}),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BODY_BYTES) outgoing.destroy(new PinnedRequestError(`${url.host} sent more than ${MAX_BODY_BYTES} bytes`, 0));
          else chunks.push(chunk);
        });
        response.on('end', () => {
          let parsed: unknown = null;
          try {
            parsed = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : null;
          } catch {
            return reject(new PinnedRequestError(`${url.host} answered something that is not JSON (HTTP ${response.statusCode})`, response.statusCode ?? 0));
          }
          const status = response.statusCode ?? 0;
          if (status >= 400) {
            const failure = (parsed ?? {}) as { message?: string; error?: string };
            return reject(new PinnedRequestError(failure.message ?? `HTTP ${status}`, status, failure.error ?? ''));
          }
          resolve(parsed as T);
        });
        response.on('error', (error) => reject(new PinnedRequestError(error.message, 0)));
      },
    );
    outgoing.once('socket', (socket) => {
      (socket as TLSSocket).once('secureConnect', () => {
        const raw = (socket as TLSSocket).getPeerCertificate().raw;
        const presented = raw ? serverPins(raw) : null;
        if (!presented || (presented.pin !== request.pin && (!request.keyPin || presented.keyPin !== request.keyPin))) {
          outgoing.destroy(new PinnedRequestError(`${url.host} presented a certificate other than the one the join token names; not trusting it`, 0, 'certificate_mismatch'));
          return;
        }
        request.onTrusted?.(presented);
        outgoing.end(payload);
      });
    });
    outgoing.on('timeout', () => outgoing.destroy(new PinnedRequestError(`${url.host} did not answer within ${request.timeoutMs} ms`, 0, 'timeout')));
    outgoing.on('error', (error) => reject(error instanceof PinnedRequestError ? error : new PinnedRequestError(`${url.host}: ${error.message}`, 0, 'unreachable')));
  });
}
