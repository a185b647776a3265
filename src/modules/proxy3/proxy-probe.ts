// Diagnostic probe: one HTTP request through the proxy, to prove squid itself answers (not just a TCP listener).
import http from 'node:http';

export interface ProbeAnswer {
  status: number;
  /** Squid's error page name (e.g. ERR_ACCESS_DENIED) when squid answered itself. */
  squidError: string | null;
  server: string | null;
}

/**
 * Asks the proxy for a URL on the node itself. Squid's rules refuse the node as a destination (to_localhost),
 * so the expected answer is squid's own 403 ERR_ACCESS_DENIED: an answer that needs no uplink, no login and
 * no other server, and that only squid's HTTP layer can give.
 */
export function probeProxy(host: string, port: number, timeoutMs = 5000): Promise<ProbeAnswer> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host, port, method: 'GET', path: `http://127.0.0.1:${port}/cloudy-proxy3-probe`, headers: { Host: `127.0.0.1:${port}` }, timeout: timeoutMs });
    request.once('timeout', () => request.destroy(new Error(`no answer from the proxy on ${host}:${port} within ${timeoutMs} ms`)));
    request.once('error', reject);
    request.once('response', (response) => {
      response.resume();
      const header = (name: string) => { const value = response.headers[name]; return typeof value === 'string' ? value : null; };
      resolve({ status: response.statusCode ?? 0, squidError: header('x-squid-error'), server: header('server') });
    });
    request.end();
  });
}

/** Whether the answer came from squid's own access rules, as the probe expects. */
export function isSquidAnswer(answer: ProbeAnswer): boolean {
  return answer.status === 403 && (answer.squidError?.startsWith('ERR_ACCESS_DENIED') ?? false);
}
