// The service list cut into Serf query responses (1 KB each): the fallback when a peer's HTTPS list cannot be fetched.
import { deflateRawSync, inflateRawSync } from 'node:zlib';

import type { PeerDocument, PeerService } from '../peer-document.ts';

export const RECORDS_QUERY = 'cloudy-records';
/** Serf refuses query responses over 1024 bytes (measured); its own framing takes a few of them. */
const PAGE_BYTES = 900;
export const MAX_PAGES = 64;
const MAX_INFLATED_BYTES = 64 * 1024;

interface Page {
  /** This page, how many there are, and the digest of the list they cut. */
  p: number;
  n: number;
  d: string;
  /** The document without its services on page 0; the services of this page. */
  h?: Omit<PeerDocument, 'services'>;
  s: PeerService[];
}

const pack = (page: Page): Buffer => deflateRawSync(Buffer.from(JSON.stringify(page)));

/** Greedy: as many services per page as fit compressed in PAGE_BYTES; a service that fits nowhere alone is left out. */
export function cutPages(document: PeerDocument): Buffer[] {
  const { services, ...header } = document;
  const groups: PeerService[][] = [[]];
  for (const service of services) {
    const current = groups[groups.length - 1]!;
    const candidate = [...current, service];
    const sample = pack({ p: groups.length - 1, n: MAX_PAGES, d: header.digest, ...(groups.length === 1 ? { h: header } : {}), s: candidate });
    if (sample.length <= PAGE_BYTES) current.push(service);
    else if (groups.length < MAX_PAGES && pack({ p: groups.length, n: MAX_PAGES, d: header.digest, s: [service] }).length <= PAGE_BYTES) groups.push([service]);
  }
  return groups.map((group, index) => pack({ p: index, n: groups.length, d: header.digest, ...(index === 0 ? { h: header } : {}), s: group }));
}

/** One page from a peer, untrusted: bounded inflation, shape checked; the caller still cleans every record. */
export function readPage(payload: Buffer): Page | null {
  try {
    const page = JSON.parse(inflateRawSync(payload, { maxOutputLength: MAX_INFLATED_BYTES }).toString('utf8')) as Page;
    const valid = Number.isInteger(page.p) && Number.isInteger(page.n) && page.n >= 1 && page.n <= MAX_PAGES && page.p >= 0 && page.p < page.n && Array.isArray(page.s);
    return valid ? page : null;
  } catch {
    return null;
  }
}

/** Reassembles the document (as `GET /peer/v1/services` would have answered) from all its pages. */
export async function fetchPages(askPage: (page: number) => Promise<Buffer | null>): Promise<unknown> {
  const first = readPage((await askPage(0)) ?? Buffer.alloc(0));
  if (!first?.h || first.p !== 0 || first.h.digest !== first.d) throw new Error('it did not answer the records query');
  const services = [...first.s];
  for (let index = 1; index < first.n; index++) {
    const page = readPage((await askPage(index)) ?? Buffer.alloc(0));
    if (!page || page.p !== index || page.d !== first.d) throw new Error(`page ${index} of its records is missing or from another list`);
    services.push(...page.s);
  }
  return { ...first.h, services };
}
