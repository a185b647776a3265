// The full service list a Cloudy node serves to its peers (GET /peer/v1/services), its digest, and its parsing.
import { createHash, X509Certificate } from 'node:crypto';

import type { SerfCoordinate } from './serf/serf-rpc-client.ts';
import { CACHE_LIMITS } from './record-cache.ts';
import { type CleanRecord, cleanMicrocloud, cleanNodeId, cleanNodeName, cleanRecord, cleanText } from './service-record.ts';

export const PEER_PROTOCOL = 1;
export const PEER_SERVICES_PATH = '/peer/v1/services';

export interface PeerService {
  type: string;
  description: string;
  port: number;
  txt: Record<string, string>;
}

export interface PeerDocument {
  protocol: number;
  nodeId: string;
  node: string;
  microcloud: string;
  digest: string;
  coordinate: SerfCoordinate | null;
  services: PeerService[];
}

/** Changes whenever anything a peer shows about this node changes; 12 hex digits are plenty to notice a change. */
export function servicesDigest(node: string, microcloud: string, services: PeerService[]): string {
  const canonical = services.map((service) => [service.type, service.port, service.description, Object.entries(service.txt).sort()]).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  return createHash('sha256').update(JSON.stringify([node, microcloud, canonical])).digest('hex').slice(0, 12);
}

/** First 12 bytes of the certificate's SHA-256, base64url: peers pin it (it travels in our Serf tags). */
export function certificatePin(certificatePem: string | Buffer): string {
  const hex = new X509Certificate(certificatePem).fingerprint256.replaceAll(':', '');
  return Buffer.from(hex, 'hex').subarray(0, 12).toString('base64url');
}

export function pinOfFingerprint(fingerprint256: string): string {
  return Buffer.from(fingerprint256.replaceAll(':', ''), 'hex').subarray(0, 12).toString('base64url');
}

function parseCoordinate(value: unknown): SerfCoordinate | null {
  if (typeof value !== 'object' || value === null) return null;
  const { vec, error, adjustment, height } = value as Record<string, unknown>;
  const finite = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n) && Math.abs(n) < 1e6;
  // Serf's heights are never negative; a negative one from a peer would rank it ahead of everyone.
  if (!Array.isArray(vec) || vec.length > 16 || !vec.every(finite) || !finite(error) || !finite(adjustment) || !finite(height) || height < 0) return null;
  return { vec, error, adjustment, height };
}

/**
 * A peer's document, untrusted: every record is cleaned, at most the per-node cap is kept, and the address
 * is the one we reached the peer at (a node cannot claim services on someone else's address).
 */
export function parsePeerDocument(raw: unknown, reachedAt: string): { nodeId: string; node: string; microcloud: string; digest: string; coordinate: SerfCoordinate | null; records: CleanRecord[] } | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const document = raw as Record<string, unknown>;
  if (document.protocol !== PEER_PROTOCOL || typeof document.nodeId !== 'string' || !Array.isArray(document.services)) return null;
  const node = cleanNodeName(document.node);
  const microcloud = cleanMicrocloud(document.microcloud);
  const nodeId = cleanNodeId(document.nodeId);
  if (!nodeId) return null;
  const records: CleanRecord[] = [];
  for (const service of document.services.slice(0, CACHE_LIMITS.perNode)) {
    if (typeof service !== 'object' || service === null) continue;
    const entry = service as Record<string, unknown>;
    const record = cleanRecord({ type: entry.type, description: entry.description, port: entry.port, txt: entry.txt, node, nodeId, microcloud, address: reachedAt });
    if (record) records.push(record);
  }
  return { nodeId, node, microcloud, digest: cleanText(document.digest, 32), coordinate: parseCoordinate(document.coordinate), records };
}
