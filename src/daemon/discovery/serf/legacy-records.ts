// Between our records and the 2015 `services` tag entries {s,d,m,i,p,e,t} (Clommunity/package-serf avahi-ps-serf).
import type { OwnService } from '../local-publications.ts';
import { type CleanRecord, cleanAddress, cleanRecord, formatTxtPairs, parseTxtPairs } from '../service-record.ts';
import type { LegacyService } from './legacy-services-tag.ts';

/** The 2015 plug-in wrote descriptions with spaces as `_` and the host as `<node>.<microcloud>.local`. */
export function toLegacyService(service: OwnService, node: { name: string; microcloud: string; address: string; device: string }): LegacyService {
  return {
    s: service.type,
    d: service.description.replace(/ /g, '_'),
    m: `${node.name}.${node.microcloud || 'guifi'}.local`,
    i: node.address,
    p: String(service.port),
    e: node.device,
    t: formatTxtPairs(service.txt),
  };
}

/**
 * Records of a node that only speaks the 2015 format. Its identity is its Serf member name; the address it
 * claims is used only when it is an IP address, else the member's own.
 */
export function fromLegacyServices(services: LegacyService[], member: { name: string; addr: string }): CleanRecord[] {
  const records: CleanRecord[] = [];
  for (const service of services) {
    const [node, microcloud] = service.m.replace(/\.local\.?$/, '').split('.');
    const record = cleanRecord({
      type: service.s,
      description: service.d.replace(/_/g, ' '),
      node: node || member.name,
      nodeId: `serf:${member.name}`,
      address: cleanAddress(service.i) ?? member.addr,
      port: service.p,
      microcloud: microcloud ?? '',
      txt: parseTxtPairs(service.t),
    });
    if (record) records.push(record);
  }
  return records;
}
