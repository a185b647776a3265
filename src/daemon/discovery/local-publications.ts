// What this node publishes right now: module records gated by health, plus the owner's manual records.
import { acceptsConnections } from '../../kit/tcp-probe.ts';
import type { Publication } from '../../shared/discovery-contract.ts';
import type { ModulePublishing } from '../module-service.ts';
import type { ManualPublication } from './discovery-store.ts';
import { cleanText, cleanTxt, RECORD_LIMITS, shortType } from './service-record.ts';

/** One of this node's own services, as every backend publishes it. */
export interface OwnService {
  type: string;
  protocol: 'tcp' | 'udp';
  port: number;
  description: string;
  txt: Record<string, string>;
  origin: string;
}

export interface PublicationSources {
  publishing(): Promise<ModulePublishing[]>;
  manualPublications(): ManualPublication[];
}

const PORT_PROBE_TIMEOUT_MS = 700;

/**
 * A module's record is published while its daemons run and its port accepts a TCP connection on the
 * community address (what a peer would use), like the 2015 `check` that looked for a LISTEN socket, unless its
 * publisher checked that itself (`servingChecked`).
 * Manual records (`cloudy publish`) are the owner's word and are always published.
 */
export async function evaluatePublications(sources: PublicationSources, probeAddress: string): Promise<{ publications: Publication[]; published: OwnService[] }> {
  const publications: Publication[] = [];
  const published: OwnService[] = [];
  for (const module of await sources.publishing()) {
    if (!module.running) {
      publications.push({ type: module.module, port: 0, description: module.title, txt: {}, origin: module.module, published: false, reason: module.reason });
      continue;
    }
    for (const record of module.records) {
      const service = ownService(record, module.module);
      if (!service) continue;
      const listening = service.protocol === 'udp' || module.servingChecked === true || (await acceptsConnections(probeAddress, service.port, PORT_PROBE_TIMEOUT_MS));
      const reason = !listening ? `port ${service.port} does not accept connections on ${probeAddress}` : module.servingChecked ? 'running' : 'running and accepting connections';
      publications.push({ ...publicationOf(service), published: listening, reason });
      if (listening) published.push(service);
    }
  }
  for (const manual of sources.manualPublications()) {
    const service = ownService(manual, 'manual');
    if (!service) continue;
    publications.push({ ...publicationOf(service), published: true, reason: 'published by hand' });
    published.push(service);
  }
  return { publications, published };
}

function ownService(record: { type: string; port: number; description: string; txt?: Record<string, string> }, origin: string): OwnService | null {
  const type = shortType(record.type);
  if (!type || !Number.isInteger(record.port) || record.port < 1 || record.port > 65535) return null;
  return {
    type,
    protocol: record.type.endsWith('._udp') ? 'udp' : 'tcp',
    port: record.port,
    description: cleanText(record.description, RECORD_LIMITS.descriptionChars) || type,
    txt: cleanTxt(record.txt ?? {}),
    origin,
  };
}

const publicationOf = (service: OwnService) => ({ type: service.type, port: service.port, description: service.description, txt: service.txt, origin: service.origin });
