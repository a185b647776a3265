// Loads the panel once in headless Chromium with a session cookie and counts the bytes each kind of file cost on the wire.
import { statSync } from 'node:fs';
import path from 'node:path';

import { chromium, type Request } from 'playwright-core';

import { SESSION_COOKIE } from '../src/shared/http-names.ts';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
const KINDS: Record<string, PanelFileKind> = { document: 'html', script: 'js', stylesheet: 'css' };

export type PanelFileKind = 'html' | 'js' | 'css';

export interface PanelFile {
  kind: PanelFileKind;
  urlPath: string;
  /** Body bytes as received (gzip when the server compressed it). */
  wireBytes: number;
  /** The same file's size in dist/web. */
  builtBytes: number;
  encoding: string;
}

export interface PanelLoad {
  files: PanelFile[];
  /** Every other request of the load (API calls); a 401 here means the cookie did not sign the browser in. */
  otherRequests: { urlPath: string; status: number; wireBytes: number }[];
}

function builtSize(distDir: string, urlPath: string): number {
  const file = path.join(distDir, urlPath === '/' ? 'index.html' : urlPath);
  try {
    return statSync(file).size;
  } catch {
    throw new Error(`${file} is missing: was the panel rebuilt while the bench ran? Run "npm run bench" again.`);
  }
}

async function describe(request: Request, distDir: string): Promise<PanelFile | PanelLoad['otherRequests'][number]> {
  const response = await request.response();
  const { responseBodySize } = await request.sizes();
  const urlPath = new URL(request.url()).pathname;
  const kind = KINDS[request.resourceType()];
  if (!kind) return { urlPath, status: response?.status() ?? 0, wireBytes: responseBodySize };
  const encoding = (await response?.headerValue('content-encoding')) ?? 'identity';
  return { kind, urlPath, wireBytes: responseBodySize, builtBytes: builtSize(distDir, urlPath), encoding };
}

/** `sessionCookie` is the `name=value` pair PanelSession keeps. */
export async function measurePanelLoad(baseUrl: string, sessionCookie: string, distDir: string): Promise<PanelLoad> {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  try {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const value = sessionCookie.slice(`${SESSION_COOKIE}=`.length);
    await context.addCookies([{ name: SESSION_COOKIE, value, url: baseUrl, httpOnly: true, secure: true, sameSite: 'Strict' }]);
    const page = await context.newPage();
    const finished: Request[] = [];
    page.on('requestfinished', (request) => finished.push(request));
    await page.goto(`${baseUrl}/`, { waitUntil: 'networkidle' });
    const described = await Promise.all(finished.map((request) => describe(request, distDir)));
    return {
      files: described.filter((entry): entry is PanelFile => 'kind' in entry),
      otherRequests: described.filter((entry): entry is PanelLoad['otherRequests'][number] => !('kind' in entry)),
    };
  } finally {
    await browser.close();
  }
}
