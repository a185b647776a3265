// What the graph server shows to anyone (as Guifi's graph servers did for guifi.net's web): each device's availability
// badge, and its state and graph data as JSON, at stable URLs under /snpservices/.
import type { PublicData } from '../../kit/module-hooks.ts';
import type { HistoryRange } from '../../shared/metrics-contract.ts';
import { HISTORY_RANGES } from '../../shared/metrics-contract.ts';
import { type DeviceStatus, type GraphServer, seriesOf } from './graph-server.ts';

type Words = { up: string; down: string; unknown: string; availability: string };
export type BadgeWords = Record<'en' | 'ca' | 'es', Words>;

export interface PublicDataDeps {
  server: GraphServer;
  history(names: string[], from: number, to: number): { step: number; series: Record<string, Array<[number, number]>> };
  words: BadgeWords;
}

const escapeXml = (text: string) => text.replace(/[<>&"']/g, (character) => `&#${character.charCodeAt(0)};`);

export function badgeSvg(status: DeviceStatus | undefined, words: Words): string {
  const state = status?.up === true ? { text: words.up, colour: '#1a7f37' } : status?.up === false ? { text: words.down, colour: '#b42318' } : { text: words.unknown, colour: '#57606a' };
  // Widths from character counts: good enough for these short words at 11 px, and no font to measure with here.
  const left = 10 + words.availability.length * 7;
  const right = 10 + state.text.length * 7;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${left + right}" height="20" role="img" aria-label="${escapeXml(`${words.availability}: ${state.text}`)}">
<rect width="${left}" height="20" fill="#3d4451"/><rect x="${left}" width="${right}" height="20" fill="${state.colour}"/>
<g fill="#fff" font-family="DejaVu Sans,Verdana,sans-serif" font-size="11" text-anchor="middle">
<text x="${left / 2}" y="14">${escapeXml(words.availability)}</text><text x="${left + right / 2}" y="14">${escapeXml(state.text)}</text></g></svg>
`;
}

/** A device as the JSON shows it: no community, nothing the owner did not mean to publish. */
export function deviceView(status: DeviceStatus) {
  return {
    key: status.device.key,
    name: status.device.name,
    address: status.device.target.address,
    source: status.device.source,
    ...(status.device.cnmlId ? { cnmlId: status.device.cnmlId } : {}),
    status: status.up === null ? 'unknown' : status.up ? 'up' : 'down',
    lastRoundAt: status.lastRoundAt === null ? null : new Date(status.lastRoundAt).toISOString(),
    lastSeenAt: status.lastSeenAt === null ? null : new Date(status.lastSeenAt).toISOString(),
    sysName: status.sysName,
    uptimeSeconds: status.uptimeSeconds,
    ping: status.ping,
    interfaces: status.interfaces,
  };
}

const json = (value: unknown): PublicData => ({ contentType: 'application/json', body: `${JSON.stringify(value)}\n`, maxAgeSeconds: 30 });
const svg = (body: string): PublicData => ({ contentType: 'image/svg+xml', body, maxAgeSeconds: 60 });

function wordsFor(query: URLSearchParams, words: BadgeWords): Words {
  const language = query.get('lang');
  return language === 'ca' || language === 'es' ? words[language] : words.en;
}

function deviceHistory(status: DeviceStatus, range: HistoryRange, deps: PublicDataDeps) {
  const key = status.device.key;
  const to = Math.floor(Date.now() / 1000);
  const names = [seriesOf.up(key), seriesOf.pingMs(key), seriesOf.pingLoss(key), ...status.interfaces.flatMap((face) => [seriesOf.interfaceIn(key, face.index), seriesOf.interfaceOut(key, face.index)])];
  const { step, series } = deps.history(names, to - HISTORY_RANGES[range], to);
  // Series by what they are, not by their stored names.
  return {
    step,
    up: series[seriesOf.up(key)],
    pingMs: series[seriesOf.pingMs(key)],
    pingLossPercent: series[seriesOf.pingLoss(key)],
    interfaces: status.interfaces.map((face) => ({ index: face.index, name: face.name, inBytesPerSecond: series[seriesOf.interfaceIn(key, face.index)], outBytesPerSecond: series[seriesOf.interfaceOut(key, face.index)] })),
  };
}

/**
 * `devices.json`; `device/<key>.json[?range=1h|24h|7d|…]`; `device/<key>/badge.svg[?lang=ca]`; and Guifi's own
 * `graphs/graphs.php?type=availability&device=<CNML id>` for the badge guifi.net's device pages embed.
 */
export function publicData(path: string, query: URLSearchParams, deps: PublicDataDeps): PublicData | null {
  const { server } = deps;
  if (path === 'devices.json') return json(server.statuses().map(deviceView));
  const device = /^device\/([mcn]\.[A-Za-z0-9.-]{1,64})(\.json|\/badge\.svg)$/.exec(path);
  if (device) {
    const status = server.status(device[1]!);
    if (device[2] === '/badge.svg') return svg(badgeSvg(status, wordsFor(query, deps.words)));
    if (!status) return null;
    const range = query.get('range') ?? '24h';
    if (!Object.hasOwn(HISTORY_RANGES, range)) return null;
    return json({ ...deviceView(status), history: deviceHistory(status, range as HistoryRange, deps) });
  }
  if (path === 'graphs/graphs.php' && query.get('type') === 'availability') {
    const id = query.get('device') ?? '';
    const status = /^[0-9]{1,10}$/.test(id) ? server.statuses().find((candidate) => candidate.device.cnmlId === id) : undefined;
    return svg(badgeSvg(status, wordsFor(query, deps.words)));
  }
  return null;
}
