// Which devices a round polls: those added by hand, those taken from the CNML, and the community nodes discovery found
// running this module's agent. One address is polled once, by the most deliberate source.
import type { CollectionItem, DiscoveredService } from '../../kit/module-hooks.ts';
import type { CnmlDevice } from './cnml-devices.ts';
import type { GraphedDevice } from './graph-server.ts';

/** `_snmp._udp` as discovery keeps its records: the short form. */
export const AGENT_TYPE = 'snmp';
const IPV4 = /^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$/;
const COMMUNITY = /^[A-Za-z0-9._~-]{1,32}$/;
const DEFAULT_COMMUNITY = 'public';

export interface DeviceSources {
  manual: CollectionItem[];
  cnml: CnmlDevice[];
  discovered: DiscoveredService[];
  graphDiscovered: boolean;
  chosen: string[];
  ignored: string[];
}

/** A name for people: printable, short; the address tells apart two devices with the same one. */
function displayName(name: string, address: string): string {
  const clean = name.replace(/[\p{C}]/gu, '').trim().slice(0, 64);
  return clean === '' ? address : `${clean} (${address})`;
}

/** Discovered agents this server graphs: all of them when asked to (but those taken out), else the chosen ones. */
export function graphedAgents(sources: Pick<DeviceSources, 'discovered' | 'graphDiscovered' | 'chosen' | 'ignored'>): DiscoveredService[] {
  return sources.discovered.filter(
    (record) => record.type === AGENT_TYPE && IPV4.test(record.address) && !sources.ignored.includes(record.address) && (sources.graphDiscovered || sources.chosen.includes(record.address)),
  );
}

export function devicesToGraph(sources: DeviceSources): GraphedDevice[] {
  const byAddress = new Map<string, GraphedDevice>();
  const add = (device: GraphedDevice) => {
    if (!byAddress.has(device.target.address)) byAddress.set(device.target.address, device);
  };
  for (const { values } of sources.manual) {
    const key = `m.${String(values.name)}`;
    const address = String(values.address);
    add({ key, name: displayName(String(values.name), address), source: 'manual', target: { key, address, port: Number(values.port), community: String(values.community), version: values.version === '1' ? '1' : '2c' } });
  }
  for (const device of sources.cnml) {
    const key = `c.${device.id}`;
    add({ key, name: displayName(device.name, device.address), source: 'cnml', cnmlId: device.id, target: { key, address: device.address, port: 161, community: DEFAULT_COMMUNITY, version: '2c' } });
  }
  for (const record of graphedAgents(sources)) {
    const key = `n.${record.address}`;
    const community = COMMUNITY.test(record.txt.community ?? '') ? record.txt.community! : DEFAULT_COMMUNITY;
    add({ key, name: displayName(record.node, record.address), source: 'discovered', target: { key, address: record.address, port: record.port, community, version: '2c' } });
  }
  return [...byAddress.values()];
}
