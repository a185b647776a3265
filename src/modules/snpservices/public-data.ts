// What the graph server shows to anyone (as Guifi's graph servers did for guifi.net's web): each device's availability
// badge, and its state and graph data as JSON, at stable URLs under /snpservices/.
import type { PublicData } from '../../kit/module-hooks.ts';
import type { HistoryRange } from '../../shared/metrics-contract.ts';
import { HISTORY_RANGES } from '../../shared/metrics-contract.ts';
import { type DeviceStatus, type GraphServer, seriesOf } from './graph-server.ts';
import { plainText, type PngGraphSpec, thinned } from './png-graph.ts';

type Words = { up: string; down: string; unknown: string; availability: string; in: string; out: string; ping: string; pingMs: string; pingLoss: string };
export type BadgeWords = Record<'en' | 'ca' | 'es', Words>;

export interface PublicDataDeps {
  server: GraphServer;
  history(names: string[], from: number, to: number): { step: number; series: Record<string, Array<[number, number]>> };
  words: BadgeWords;
  /** gnuplot through the module's root action: PNG bytes. */
  renderPng(spec: PngGraphSpec): Promise<Uint8Array>;
}

/** Drawn PNGs kept this long: a page of badges and graphs asks for each at once, and points come once a round. */
const PNG_CACHE_MS = 60_000;
const PNG_CACHE_ENTRIES = 200;
const pngCache = new Map<string, { at: number; png: Uint8Array }>();

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

/** One of a device's graphs (`if.<index>`, `ping`, `loss`) over `range`, for gnuplot. */
function pngSpec(status: DeviceStatus, graph: string, range: HistoryRange, words: Words, deps: PublicDataDeps): PngGraphSpec | null {
  const key = status.device.key;
  const to = Math.floor(Date.now() / 1000);
  const from = to - HISTORY_RANGES[range];
  const face = /^if\.(\d{1,9})$/.exec(graph);
  const shape = face
    ? (() => {
        const index = Number(face[1]);
        const known = status.interfaces.find((candidate) => candidate.index === index);
        if (!known) return null;
        return { title: known.name, unit: 'B/s' as const, lines: [{ label: words.in, series: seriesOf.interfaceIn(key, index) }, { label: words.out, series: seriesOf.interfaceOut(key, index) }] };
      })()
    : graph === 'ping'
      ? { title: words.ping, unit: 'ms' as const, lines: [{ label: words.pingMs, series: seriesOf.pingMs(key) }] }
      : graph === 'loss'
        ? { title: words.pingLoss, unit: '%' as const, lines: [{ label: words.pingLoss, series: seriesOf.pingLoss(key) }] }
        : null;
  if (!shape) return null;
  const { series } = deps.history(shape.lines.map((line) => line.series), from, to);
  return {
    title: plainText(`${status.device.name} ${shape.title}`),
    unit: shape.unit,
    from,
    to,
    lines: shape.lines.map((line) => ({ label: plainText(line.label), points: thinned(series[line.series] ?? []) })),
  };
}

async function png(status: DeviceStatus, graph: string, query: URLSearchParams, deps: PublicDataDeps): Promise<PublicData | null> {
  const range = query.get('range') ?? '24h';
  if (!Object.hasOwn(HISTORY_RANGES, range)) return null;
  const words = wordsFor(query, deps.words);
  const cacheKey = `${status.device.key}/${graph}/${range}/${words.in}`;
  const cached = pngCache.get(cacheKey);
  if (cached && Date.now() - cached.at < PNG_CACHE_MS) return { contentType: 'image/png', body: cached.png, maxAgeSeconds: 60 };
  const spec = pngSpec(status, graph, range as HistoryRange, words, deps);
  if (!spec) return null;
  const drawn = await deps.renderPng(spec);
  if (pngCache.size >= PNG_CACHE_ENTRIES) pngCache.delete(pngCache.keys().next().value!);
  pngCache.set(cacheKey, { at: Date.now(), png: drawn });
  return { contentType: 'image/png', body: drawn, maxAgeSeconds: 60 };
}

/**
 * `devices.json`; `device/<key>.json[?range=1h|24h|7d|…]`; `device/<key>/badge.svg[?lang=ca]`;
 * `device/<key>/<if.N|ping|loss>.png[?range=…&lang=…]`; and Guifi's own
 * `graphs/graphs.php?type=availability&device=<CNML id>` for the badge guifi.net's device pages embed.
 */
export async function publicData(path: string, query: URLSearchParams, deps: PublicDataDeps): Promise<PublicData | null> {
  const { server } = deps;
  if (path === 'devices.json') return json(server.statuses().map(deviceView));
  const device = /^device\/([mcn]\.[A-Za-z0-9.-]{1,64})(\.json|\/badge\.svg)$/.exec(path);
  const image = /^device\/([mcn]\.[A-Za-z0-9.-]{1,64})\/(if\.\d{1,9}|ping|loss)\.png$/.exec(path);
  if (image) {
    const status = server.status(image[1]!);
    return status ? png(status, image[2]!, query, deps) : null;
  }
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
