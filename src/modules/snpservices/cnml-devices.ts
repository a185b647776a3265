// Pure: the devices a graph server polls, read from a Guifi.net CNML export (the XML that drupal-guifi's guifi_cnml.inc
// writes: <cnml><network><zone><zone…><node><device><radio><interface/></radio><interface/></device></node></zone>).
import { XMLParser } from 'fast-xml-parser';

import { displayString } from './snmp-values.ts';

export interface CnmlDevice {
  id: string;
  name: string;
  address: string;
  /** The id of the SNPgraphs service that graphs it, inherited from its node and zones; null for none. */
  graphServer: string | null;
  nodeId: string;
}

export interface CnmlOptions {
  /** Keep only the devices this graph server graphs. */
  graphServerId?: string;
  maxBytes?: number;
  maxDevices?: number;
}

export const CNML_LIMITS = { maxBytes: 50 * 1024 * 1024, maxDevices: 5000 } as const;

export class CnmlError extends Error {
  override name = 'CnmlError';
}

type XmlElement = Record<string, unknown>;

// Entity expansion off: a DOCTYPE's entities stay as written (no "billion laughs"); XML's own five and character
// references are decoded below, only in the values kept.
const PARSER = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  processEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  isArray: (name) => ['network', 'zone', 'node', 'device', 'radio', 'interface'].includes(name),
});

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]{1,6}|#\d{1,7}|amp|lt|gt|quot|apos);/g, (whole, name: string) => {
    if (!name.startsWith('#')) return XML_ENTITIES[name]!;
    const code = name[1] === 'x' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
    return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

const attribute = (element: XmlElement, name: string): string | undefined => {
  const value = element[`@_${name}`];
  return typeof value === 'string' ? decodeEntities(value).trim() : undefined;
};

/** Child elements; an element with only text (no attributes) parses as a string and is not one. */
const children = (element: XmlElement, tag: string): XmlElement[] => {
  const value = element[tag];
  return Array.isArray(value) ? value.filter((child): child is XmlElement => typeof child === 'object' && child !== null) : [];
};

const ID = /^[1-9]\d{0,9}$/;

/** drupal-guifi's graph_server: 0 or absent is "Default" (inherit), -1 is "None", else an SNPgraphs service id. */
function graphServerOf(element: XmlElement, inherited: string | null): string | null {
  const own = attribute(element, 'graph_server');
  if (own === '-1') return null;
  return own !== undefined && ID.test(own) ? own : inherited;
}

/** An address a graph server can poll: dotted decimal, not 0/8, loopback, link-local, multicast or reserved. */
export function pollableIpv4(text: string | undefined): string | null {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text ?? '');
  if (!match) return null;
  const octets = match.slice(1).map((octet) => (/^(0|[1-9]\d*)$/.test(octet) ? Number(octet) : 256));
  const [a, b] = octets as [number, number];
  if (octets.some((octet) => octet > 255) || a === 0 || a === 127 || a >= 224 || (a === 169 && b === 254)) return null;
  return octets.join('.');
}

/**
 * The device's address as the original SNPServices chose it (snpservices graphs/cnml2mrtgcsv.php): the first interface
 * of type Lan or wLan/Lan (or Wan when a radio is a client), radios' interfaces first as the export writes them; failing
 * that, the first valid address of any interface.
 */
function addressOf(device: XmlElement): string | null {
  const radios = children(device, 'radio');
  const interfaces = [...radios.flatMap((radio) => children(radio, 'interface')), ...children(device, 'interface')];
  const mainTypes = new Set(['Lan', 'wLan/Lan', ...(radios.some((radio) => attribute(radio, 'mode') === 'client') ? ['Wan'] : [])]);
  const valid = interfaces.map((item) => ({ type: attribute(item, 'type'), address: pollableIpv4(attribute(item, 'ipv4')) })).filter((item) => item.address !== null);
  return (valid.find((item) => item.type !== undefined && mainTypes.has(item.type)) ?? valid[0])?.address ?? null;
}

/** Devices in service ("Working") with a pollable IPv4 address, in document order, each id once. */
export function cnmlDevices(xml: string, options: CnmlOptions = {}): CnmlDevice[] {
  const maxBytes = options.maxBytes ?? CNML_LIMITS.maxBytes;
  const maxDevices = options.maxDevices ?? CNML_LIMITS.maxDevices;
  if (Buffer.byteLength(xml) > maxBytes) throw new CnmlError(`The CNML file is larger than ${Math.round(maxBytes / 1024 / 1024)} MB: export a smaller zone.`);
  let document: XmlElement;
  try {
    document = PARSER.parse(xml) as XmlElement;
  } catch (error) {
    throw new CnmlError(`The CNML file is not valid XML: ${displayString((error as Error).message, 120)}.`);
  }
  const root = document.cnml;
  if (typeof root !== 'object' || root === null) throw new CnmlError('The file is not CNML: it has no <cnml> element.');

  const devices = new Map<string, CnmlDevice>();
  const visitNode = (node: XmlElement, inherited: string | null) => {
    const nodeId = attribute(node, 'id');
    if (nodeId === undefined || !ID.test(nodeId)) return;
    const nodeServer = graphServerOf(node, inherited);
    for (const device of children(node, 'device')) {
      const id = attribute(device, 'id');
      const address = addressOf(device);
      const graphServer = graphServerOf(device, nodeServer);
      if (id === undefined || !ID.test(id) || devices.has(id) || attribute(device, 'status') !== 'Working' || address === null) continue;
      if (options.graphServerId !== undefined && graphServer !== options.graphServerId) continue;
      if (devices.size >= maxDevices) throw new CnmlError(`The CNML file lists more than ${maxDevices} devices to graph: export a smaller zone.`);
      devices.set(id, { id, name: displayString(attribute(device, 'title') ?? '') || `device ${id}`, address, graphServer, nodeId });
    }
  };
  const visitZone = (zone: XmlElement, inherited: string | null) => {
    const server = graphServerOf(zone, inherited);
    for (const node of children(zone, 'node')) visitNode(node, server);
    for (const child of children(zone, 'zone')) visitZone(child, server);
  };
  const cnml = root as XmlElement;
  for (const network of children(cnml, 'network')) for (const zone of children(network, 'zone')) visitZone(zone, null);
  // A node export (guifi/cnml/<ids>/node) has its nodes right under <cnml>.
  for (const node of children(cnml, 'node')) visitNode(node, null);
  return [...devices.values()];
}
