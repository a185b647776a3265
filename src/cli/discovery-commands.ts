// `cloudy publish|unpublish|search|discovery`: the 2015 avahi-ps command shapes, over the node's API.
import type { DiscoverySettings, DiscoveryStatus, PublishRequest, SearchResult, ServiceRecord } from '../shared/discovery-contract.ts';
import type { PanelClient } from './panel-client.ts';

type Print = (human: string, data: unknown) => void;

/** `key=value` arguments; the 2015 form `a=1&b=2` in one argument is accepted too. */
function txtArguments(pairs: string[]): Record<string, string> {
  const txt: Record<string, string> = {};
  for (const pair of pairs.flatMap((argument) => argument.split('&')).filter(Boolean)) {
    const at = pair.indexOf('=');
    if (at < 1) throw new Error(`"${pair}" is not key=value`);
    txt[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return txt;
}

function portArgument(text: string | undefined): number {
  if (!text || !/^\d{1,5}$/.test(text)) throw new Error(`"${text ?? ''}" is not a port number`);
  return Number(text);
}

export async function publishCommand(client: PanelClient, [description, type, port, ...pairs]: string[], print: Print): Promise<void> {
  if (!description || !type) throw new Error('usage: cloudy publish <description> <type> <port> [key=value …]');
  const body: PublishRequest = { description, type, port: portArgument(port), txt: txtArguments(pairs) };
  const publications = await client.request<unknown[]>('POST', '/api/discovery/publications', body);
  print(`published ${type} on port ${body.port}`, publications);
}

export async function unpublishCommand(client: PanelClient, [type, port]: string[], print: Print): Promise<void> {
  if (!type) throw new Error('usage: cloudy unpublish <type> <port>');
  const short = type.replace(/^_/, '').replace(/\._(tcp|udp)$/, '');
  await client.request('DELETE', `/api/discovery/publications/${encodeURIComponent(short)}/${portArgument(port)}`);
  print(`unpublished ${short} on port ${port}`, { type: short, port: Number(port) });
}

function ago(iso: string): string {
  const seconds = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  return seconds < 120 ? `${seconds} s ago` : seconds < 7200 ? `${Math.round(seconds / 60)} min ago` : `${Math.round(seconds / 3600)} h ago`;
}

function table(records: ServiceRecord[]): string {
  const rows = records.map((record) => [
    record.type,
    record.description,
    record.self ? `${record.node} (this node)` : record.node,
    record.address,
    String(record.port),
    record.microcloud,
    record.rttMs === null ? '-' : `${record.rttMs} ms`,
    record.stale ? `stale, ${ago(record.lastSeen)}` : ago(record.lastSeen),
    record.sources.join('+') || record.source,
  ]);
  const header = ['TYPE', 'DESCRIPTION', 'NODE', 'ADDRESS', 'PORT', 'MICROCLOUD', 'RTT', 'LAST SEEN', 'SOURCE'];
  const widths = header.map((title, column) => Math.min(40, Math.max(title.length, ...rows.map((row) => row[column]!.length))));
  return [header, ...rows].map((row) => row.map((cell, column) => cell.slice(0, 40).padEnd(widths[column]!)).join('  ').trimEnd()).join('\n');
}

export async function searchCommand(client: PanelClient, [type]: string[], options: { all: boolean; limit?: string }, print: Print): Promise<void> {
  const query = new URLSearchParams();
  if (type && type !== '.') query.set('type', type);
  if (options.all) query.set('includeStale', 'true');
  if (options.limit) query.set('limit', options.limit);
  const result = await client.request<SearchResult>('GET', `/api/discovery/services?${query}`);
  const more = result.total > result.records.length ? `\n(${result.records.length} of ${result.total} shown; use --limit)` : '';
  const human = result.records.length === 0 ? 'no services found' : `${table(result.records)}${more}`;
  print(human, result.records);
}

/** KEY=VALUE text read as the settings' types: lists are comma-separated, booleans true/false. */
function settingsUpdate(pairs: string[]): Partial<DiscoverySettings> {
  const update: Record<string, unknown> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at < 1) throw new Error(`"${pair}" is not KEY=VALUE`);
    const [key, value] = [pair.slice(0, at), pair.slice(at + 1)];
    if (key === 'joinAddresses') update[key] = value.split(',').map((entry) => entry.trim()).filter(Boolean);
    else if (key === 'serfPort' && /^\d{1,5}$/.test(value)) update[key] = Number(value);
    else if (['mdns', 'legacyTag'].includes(key) && ['true', 'false'].includes(value)) update[key] = value === 'true';
    else update[key] = value;
  }
  return update as Partial<DiscoverySettings>;
}

function describeStatus(status: DiscoveryStatus): string {
  const { mdns, serf } = status.backends;
  return [
    `node ${status.nodeName} (id ${status.nodeId}) on ${status.communityAddress} (${status.communityInterface || 'unknown interface'}), microcloud ${status.microcloud}`,
    `mdns: ${mdns.state}${mdns.publisher ? ` via ${mdns.publisher}` : ''} — ${mdns.detail}`,
    `serf: ${serf.state} — ${serf.detail}; ${serf.alive} of ${serf.members} members alive${serf.encrypted ? ', encrypted' : ''}`,
    `legacy tag: ${status.legacyTag.enabled ? `${status.legacyTag.published} of ${status.legacyTag.total} services` : 'off'}`,
    `published: ${status.published}; visible: ${status.visible.services} services on ${status.visible.nodes} nodes`,
    ...status.members.map((member) => `  ${member.name.padEnd(28)} ${`${member.address}:${member.port}`.padEnd(22)} ${member.status.padEnd(7)} ${member.cloudy ? 'cloudy' : 'plain '} ${member.services} services${member.rttMs === null ? '' : `, ${member.rttMs} ms`}`),
  ].join('\n');
}

export async function discoveryCommand(client: PanelClient, [verb, ...rest]: string[], print: Print): Promise<void> {
  if (verb === 'status') {
    const status = await client.request<DiscoveryStatus>('GET', '/api/discovery/status');
    return print(describeStatus(status), status);
  }
  if (verb === 'settings') {
    const settings = await client.request<DiscoverySettings>('GET', '/api/discovery/settings');
    return print(Object.entries(settings).map(([key, value]) => `${key} = ${Array.isArray(value) ? value.join(',') : value}`).join('\n'), settings);
  }
  if (verb === 'configure') {
    const settings = await client.request<DiscoverySettings>('PUT', '/api/discovery/settings', settingsUpdate(rest));
    return print('discovery settings saved and applied', settings);
  }
  throw new Error('usage: cloudy discovery status|settings|configure KEY=VALUE...');
}
