// Waits for a node's panel from outside it: the HTTPS health answer, and the plain-HTTP port's redirect.
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

import { rawRequest } from './panel-session.ts';

export interface Health { status: string; setupRequired: boolean }

/** Polls `<baseUrl>/api/health` until it answers 200; the error names the last problem seen. */
export async function waitForHealth(baseUrl: string, timeoutMs = 60_000): Promise<Health> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no attempt';
  while (Date.now() < deadline) {
    try {
      const reply = await rawRequest(baseUrl, 'GET', '/api/health');
      if (reply.status === 200) return reply.body as Health;
      last = `HTTP ${reply.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await sleep(200);
  }
  throw new Error(`${baseUrl}/api/health did not answer 200 within ${timeoutMs} ms: ${last}`);
}

/** One plain-HTTP GET, redirects not followed. */
export function plainHttpGet(url: string): Promise<{ status: number; location: string | undefined }> {
  return new Promise((resolve, reject) => {
    http.get(url, { agent: false, timeout: 5000 }, (response) => {
      response.resume();
      resolve({ status: response.statusCode ?? 0, location: response.headers.location });
    }).on('error', reject);
  });
}
