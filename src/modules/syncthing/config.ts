// Pure parse/serialise of Syncthing's config.xml, to set options before the daemon's first start.
import { XMLBuilder, XMLParser } from 'fast-xml-parser';

export type SyncthingOptionValue = string | number | boolean | string[];

/** REST names a list in the plural; config.xml repeats the singular element (Syncthing's config schema). */
const XML_ELEMENT: Record<string, string> = { listenAddresses: 'listenAddress', globalAnnounceServers: 'globalAnnounceServer' };

const FORMAT = { preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false, trimValues: true } as const;

type XmlNode = Record<string, unknown> & { ':@'?: Record<string, string> };

const tagOf = (node: XmlNode) => Object.keys(node).find((key) => key !== ':@')!;

export class SyncthingConfigError extends Error {
  override name = 'SyncthingConfigError';
}

/** Options derived from the form (REST config object names from Syncthing's config.xml schema). */
/** The settings `syncthingOptions` reads: written into config.xml before a start, patched over REST after. */
export const OPTION_SETTINGS = ['listenPort', 'localDiscovery', 'globalDiscovery', 'relays', 'maxSendKiBps'] as const;

export function syncthingOptions(config: Record<string, unknown>): Record<string, SyncthingOptionValue> {
  return {
    listenAddresses: [`tcp://0.0.0.0:${config.listenPort}`],
    localAnnounceEnabled: Boolean(config.localDiscovery),
    globalAnnounceEnabled: Boolean(config.globalDiscovery),
    relaysEnabled: Boolean(config.relays),
    natEnabled: Boolean(config.globalDiscovery),
    maxSendKbps: Number(config.maxSendKiBps),
    urAccepted: -1,
    crashReportingEnabled: false,
    autoUpgradeIntervalH: 0,
    // STUN asks Internet servers for our public address: only when Internet discovery is wanted.
    stunKeepaliveStartS: config.globalDiscovery ? 180 : 0,
  };
}

/** Returns config.xml with the given `<options>` children replaced; everything else is kept as it was. */
export function withOptions(xml: string, options: Record<string, SyncthingOptionValue>): string {
  const document = new XMLParser(FORMAT).parse(xml) as XmlNode[];
  const configuration = document.find((node) => tagOf(node) === 'configuration');
  const children = configuration?.configuration as XmlNode[] | undefined;
  const optionsNode = children?.find((node) => tagOf(node) === 'options');
  if (!optionsNode) throw new SyncthingConfigError('config.xml has no <configuration><options> element');
  let entries = optionsNode.options as XmlNode[];
  for (const [name, value] of Object.entries(options)) {
    const element = XML_ELEMENT[name] ?? name;
    const values = Array.isArray(value) ? value : [value];
    const replacement = values.map((item) => ({ [element]: [{ '#text': String(item) }] }) as XmlNode);
    const first = entries.findIndex((node) => tagOf(node) === element);
    entries = entries.filter((node) => tagOf(node) !== element);
    entries.splice(first === -1 ? entries.length : first, 0, ...replacement);
  }
  optionsNode.options = entries;
  return new XMLBuilder({ ...FORMAT, format: true, indentBy: '    ', suppressEmptyNode: false }).build(document) as string;
}

/** Reads the options back (for tests and diagnostics): lists stay lists, everything else is text. */
export function readOptions(xml: string): Record<string, string | string[]> {
  const document = new XMLParser(FORMAT).parse(xml) as XmlNode[];
  const configuration = document.find((node) => tagOf(node) === 'configuration')?.configuration as XmlNode[] | undefined;
  const entries = (configuration?.find((node) => tagOf(node) === 'options')?.options ?? []) as XmlNode[];
  const options: Record<string, string | string[]> = {};
  const listNames = Object.fromEntries(Object.entries(XML_ELEMENT).map(([rest, element]) => [element, rest]));
  for (const node of entries) {
    const element = tagOf(node);
    const text = String(((node[element] as Array<{ '#text'?: unknown }>)[0] ?? {})['#text'] ?? '');
    const listName = listNames[element];
    if (listName) options[listName] = [...((options[listName] as string[] | undefined) ?? []), text];
    else options[element] = text;
  }
  return options;
}
