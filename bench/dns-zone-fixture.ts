// The discovered community `npm run bench:dns` serves: 200 nodes with 500 services, and the dnsperf queries its
// members would ask of that zone (names, reverse names, DNS-SD browsing, SRV and TXT of instances).
import type { ZoneService } from '../src/modules/dnsservices/community-zone.ts';

export const NODES = 200;
export const SERVICES = 500;

/** The types a Guifi microcloud publishes, with a TXT entry of the kind each carries. */
const TYPES: Array<{ type: string; txt: (node: number) => Record<string, string> }> = [
  { type: 'syncthing', txt: (node) => ({ node_id: `NODE${String(node).padStart(3, '0')}-AAAAAAA-BBBBBBB-CCCCCCC` }) },
  { type: 'webdav', txt: () => ({ path: '/dav/' }) },
  { type: 'proxy3', txt: () => ({ Federated: 'Yes', federation: 'in' }) },
  { type: 'http-proxy', txt: () => ({}) },
  { type: 'dnsservice', txt: () => ({ zone: 'guifi.internal' }) },
  { type: 'dns', txt: () => ({ zone: 'guifi.internal' }) },
  { type: 'peertube', txt: () => ({ path: '/' }) },
  { type: 'tahoe-lafs', txt: () => ({ introducer: 'pb://x@10.1.0.1:3456/introducer' }) },
  { type: 'etherpad', txt: () => ({}) },
  { type: 'snpservice', txt: () => ({ community: 'public' }) },
];

export const nodeName = (node: number) => `node${String(node).padStart(3, '0')}`;
export const nodeAddress = (node: number) => `10.1.${Math.floor(node / 250)}.${(node % 250) + 1}`;

/** Every other instance is named with spaces, as descriptions usually are (escaped \032 in the zone). */
export function communityServices(): ZoneService[] {
  return Array.from({ length: SERVICES }, (_, index) => {
    const node = index % NODES;
    const { type, txt } = TYPES[index % TYPES.length]!;
    const description = index % 2 === 0 ? `${type} on ${nodeName(node)}` : `${type}-${nodeName(node)}`;
    return { type, description, node: nodeName(node), address: nodeAddress(node), port: 1024 + index, txt: txt(node) };
  });
}

/**
 * One query per line (`name type`), as dnsperf reads them. dnsperf does not decode `\DDD` escapes, so instances are
 * asked by the names that need none; those with spaces are still in every browse answer.
 */
export function queryLines(zone: string): string[] {
  const lines = [`${zone} SOA`, `_services._dns-sd._udp.${zone} PTR`, `b._dns-sd._udp.${zone} PTR`];
  for (let node = 0; node < NODES; node++) {
    lines.push(`${nodeName(node)}.${zone} A`, `${nodeAddress(node).split('.').reverse().join('.')}.in-addr.arpa PTR`);
  }
  for (const { type } of TYPES) lines.push(`_${type}.${type === 'dns' ? '_udp' : '_tcp'}.${zone} PTR`);
  for (const service of communityServices()) {
    if (service.description.includes(' ')) continue;
    const owner = `${service.description}._${service.type}.${service.type === 'dns' ? '_udp' : '_tcp'}.${zone}`;
    lines.push(`${owner} SRV`, `${owner} TXT`);
  }
  return lines;
}

/** Another community's zone, which the two nameds reach through their forwarder and then answer from their cache. */
export const ELSEWHERE = 'elsewhere.internal';
const ELSEWHERE_NAMES = 200;

export function elsewhereZone(nameServer: string): string {
  // An hour's TTL: every answer stays in the cache for the whole run.
  const lines = [`$ORIGIN ${ELSEWHERE}.`, '$TTL 3600', '@ IN SOA ns hostmaster 1 3600 600 86400 3600', '@ IN NS ns', `ns IN A ${nameServer}`];
  for (let index = 0; index < ELSEWHERE_NAMES; index++) lines.push(`host${index} IN A 10.2.${Math.floor(index / 250)}.${(index % 250) + 1}`);
  return `${lines.join('\n')}\n`;
}

export const cachedQueryLines = (): string[] => Array.from({ length: ELSEWHERE_NAMES }, (_, index) => `host${index}.${ELSEWHERE} A`);
