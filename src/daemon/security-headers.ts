// Security headers on every response cloudyd sends: a strict policy for the panel and the API, a looser one for module UIs.
import { type OutgoingHttpHeaders, type Server, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * The panel is Vite's build: one module script and one stylesheet from /assets/, no inline script or style, no eval,
 * no framing, no fonts or images from elsewhere; it talks only to its own origin (fetch and EventSource).
 */
const PANEL_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Module UIs (Syncthing's AngularJS GUI, …) are third-party pages: they may use inline code, eval and data: images.
 * They still load only from this origin and are never framable by another origin. The panel opens them in a new tab;
 * `frame-ancestors 'self'` lets such a UI frame its own pages.
 */
const MODULE_UI_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'self'",
].join('; ');

/** Two years, Mozilla's recommendation. No includeSubDomains: other names under the node's domain are not ours. */
const HSTS = 'max-age=63072000';

export const MODULE_UI_PREFIX = '/apps/';

/** Headers for a response to `url`; `https` adds HSTS (RFC 6797 §7.2: never over plain HTTP). */
export function securityHeaders(url: string, https: boolean): Record<string, string> {
  const moduleUi = url.startsWith(MODULE_UI_PREFIX);
  return {
    'content-security-policy': moduleUi ? MODULE_UI_POLICY : PANEL_POLICY,
    'x-frame-options': moduleUi ? 'SAMEORIGIN' : 'DENY',
    'x-content-type-options': 'nosniff',
    // Some third-party UIs check the Referer of their own forms (Django over HTTPS does); the panel needs none.
    'referrer-policy': moduleUi ? 'same-origin' : 'no-referrer',
    ...(moduleUi ? {} : { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-resource-policy': 'same-origin' }),
    ...(https ? { 'strict-transport-security': HSTS } : {}),
  };
}

/**
 * Answers a request the HTTP parser refused (it never becomes a 'request'), as Fastify's default handler does but
 * with our headers. For Fastify's `clientErrorHandler` option and plain servers' 'clientError' event.
 */
export function answerClientError(https: boolean): (error: NodeJS.ErrnoException, socket: Duplex) => void {
  return (error, socket) => {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const status = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    const body = JSON.stringify({ error: 'bad_request', message: status === 408 ? 'The request took too long to arrive.' : status === 431 ? 'The request headers are too large.' : 'The request is not valid HTTP.' });
    const headers = { ...securityHeaders('/', https), 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), connection: 'close' };
    if (socket.writable) socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n${body}`);
    socket.destroy(error);
  };
}

/**
 * Sets the headers on the raw response before any handler runs, so they are on every answer: routes, 404s, errors,
 * Fastify's own refusals (bad URL, body too large) and hijacked replies (the event stream, the module UI proxy).
 * A handler's own value for the same header replaces ours; the proxy merges with `moduleUiHeaders`.
 */
export function installSecurityHeaders(server: Server, options: { https: boolean }): void {
  server.prependListener('request', (request, response) => {
    for (const [name, value] of Object.entries(securityHeaders(request.url ?? '/', options.https))) response.setHeader(name, value);
  });
  // Fastify's server already answers parser errors, with `answerClientError` given as its clientErrorHandler.
  if (server.listenerCount('clientError') === 0) server.on('clientError', answerClientError(options.https));
}

/**
 * A proxied module UI's response headers with ours applied: our framing, sniffing, referrer and HSTS headers win
 * (a stricter X-Frame-Options DENY is kept); its own Content-Security-Policy is kept beside ours, and browsers
 * enforce both, so the result is never looser than either.
 */
export function moduleUiHeaders(upstream: OutgoingHttpHeaders, https: boolean): OutgoingHttpHeaders {
  const ours = securityHeaders(MODULE_UI_PREFIX, https);
  const theirPolicy = ([] as Array<string | number>).concat(upstream['content-security-policy'] ?? []).map(String);
  const theirFraming = String(upstream['x-frame-options'] ?? '').toUpperCase();
  const merged: OutgoingHttpHeaders = { ...upstream, ...ours };
  // A comma separates policies in one header (CSP Level 3, "serialized CSP list"); each is enforced.
  merged['content-security-policy'] = [...theirPolicy, ours['content-security-policy']!].join(', ');
  if (theirFraming === 'DENY') merged['x-frame-options'] = 'DENY';
  return merged;
}
