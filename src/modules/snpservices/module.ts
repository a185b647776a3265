// SNPServices beyond the generic lifecycle: the agent's snmpd.conf, the graph server's polling rounds (in cloudyd, while
// the module runs), its graphs on the module's page, the public badges and JSON, and "Graph this device".
import type { LocalizedText } from '../../kit/manifest.ts';
import type { ModuleDefinition, ModuleGraph, ModuleRuntime } from '../../kit/module-hooks.ts';
import { cidrProblem } from '../../kit/ipv4-network.ts';
import type { DiagnosticCheck } from '../../shared/api-contract.ts';
import { CnmlSource } from './cnml-source.ts';
import { AGENT_TYPE, devicesToGraph, graphedAgents } from './device-list.ts';
import type { PingSummary } from './fping-summary.ts';
import { GraphServer, seriesOf } from './graph-server.ts';
import { MAX_PINGED, snpservicesManifest } from './manifest.ts';
import { type BadgeWords, publicData } from './public-data.ts';
import { snpservicesTranslations as words } from './translations.ts';

// One graph server per cloudyd: its state outlives a settings change (the work restarts, the counters stay).
const server = new GraphServer();
const cnml = new CnmlSource();

async function writeConfig(runtime: ModuleRuntime): Promise<boolean> {
  const { config } = runtime;
  const settings = { agentPort: config.agentPort, agentCommunity: config.agentCommunity, agentSubnets: config.agentSubnets };
  const { changed } = await runtime.callPrivileged<{ changed: boolean }>('snpservices.writeConfig', { settings, nodeName: await runtime.nodeName() });
  return changed;
}

function checkConfig(config: Record<string, unknown>): Record<string, LocalizedText> {
  const refused: Record<string, LocalizedText> = {};
  for (const cidr of config.agentSubnets as string[]) if (cidrProblem(cidr) !== null) refused.agentSubnets ??= words.text('check.network', { cidr });
  return refused;
}

async function currentDevices(runtime: ModuleRuntime) {
  const { config } = runtime;
  return devicesToGraph({
    manual: runtime.collections.devices ?? [],
    cnml: cnml.current.devices,
    discovered: (await runtime.discovered()).services,
    graphDiscovered: config.graphDiscovered as boolean,
    chosen: config.chosenAgents as string[],
    ignored: config.ignoredAgents as string[],
  });
}

/** fping for a round's addresses, in calls the root action accepts. */
async function ping(runtime: ModuleRuntime, addresses: string[]): Promise<Record<string, PingSummary>> {
  const results: Record<string, PingSummary> = {};
  for (let start = 0; start < addresses.length; start += MAX_PINGED) {
    Object.assign(results, await runtime.callPrivileged<Record<string, PingSummary>>('snpservices.ping', { addresses: addresses.slice(start, start + MAX_PINGED) }));
  }
  return results;
}

/** Ends the wait between rounds early: a device discovery just found is polled now, not in five minutes. */
let wakeUp: (() => void) | null = null;

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      if (wakeUp === done) wakeUp = null;
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    wakeUp = done;
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Discovery changed: a round now if the devices to graph are not those of the last round. */
async function discoveryChanged(runtime: ModuleRuntime): Promise<void> {
  const wanted = (await currentDevices(runtime)).map((device) => device.key).sort();
  const tracked = server.statuses().map((status) => status.device.key).sort();
  if (wanted.join() !== tracked.join()) wakeUp?.();
}

/** A round every `pollMinutes`, the first at once; the CNML is read before a round when it is due. */
async function pollWhileRunning(runtime: ModuleRuntime, signal: AbortSignal): Promise<void> {
  const intervalMs = (runtime.config.pollMinutes as number) * 60_000;
  let lastUp = -1;
  while (!signal.aborted) {
    const started = Date.now();
    await cnml.refresh(runtime.config.cnmlUrl as string, runtime.config.graphServerId as string, signal);
    const devices = await currentDevices(runtime);
    const round = await server.round(devices, { ping: (addresses) => ping(runtime, addresses), record: (values, at) => runtime.series.record(values, at), signal });
    if (round === null) return;
    // A line when the picture changes, not every round.
    if (round.up !== lastUp) runtime.log(`polled ${round.devices} devices in ${round.seconds.toFixed(1)} s: ${round.up} up, ${round.answered} answered SNMP`);
    lastUp = round.up;
    await pause(intervalMs - (Date.now() - started), signal);
  }
}

const text = (key: Parameters<typeof words.text>[0]) => words.text(key);

/** The devices of the last round (a device added since shows after the round it causes). */
async function graphs(): Promise<ModuleGraph[]> {
  return server.statuses().flatMap((status) => {
    const { key, name } = status.device;
    const group = { group: name, ...(status.up === null ? {} : { groupStatus: status.up ? ('up' as const) : ('down' as const) }) };
    const traffic: ModuleGraph[] = status.interfaces.map((face) => ({
      id: `${key}:if.${face.index}`,
      ...group,
      title: face.name,
      unit: 'bytesPerSecond' as const,
      lines: [
        { series: seriesOf.interfaceIn(key, face.index), label: text('graph.in') },
        { series: seriesOf.interfaceOut(key, face.index), label: text('graph.out') },
      ],
    }));
    return [
      ...traffic,
      { id: `${key}:ping`, ...group, title: text('graph.ping'), unit: 'milliseconds' as const, lines: [{ series: seriesOf.pingMs(key), label: text('graph.pingMs') }] },
      { id: `${key}:loss`, ...group, title: text('graph.pingLoss'), unit: 'percent' as const, lines: [{ series: seriesOf.pingLoss(key), label: text('graph.pingLoss') }] },
    ];
  });
}

async function diagnose(runtime: ModuleRuntime): Promise<DiagnosticCheck[]> {
  const [agent, polling] = snpservicesManifest.diagnostics;
  const { config } = runtime;
  const { pollDevice } = await import('./snmp-poller.ts');
  const reading = await pollDevice({ key: 'self', address: '127.0.0.1', port: config.agentPort as number, community: config.agentCommunity as string, version: '2c' }, { timeoutMs: 2000, retries: 1 });
  const round = server.lastRound;
  const withinMs = 2 * (config.pollMinutes as number) * 60_000 + 60_000;
  const recent = round !== null && Date.now() - round.at < withinMs;
  return [
    { checkId: agent!.checkId, description: agent!.description, result: reading.answered && reading.sysName ? 'passed' : 'failed', parameters: { sysName: reading.sysName ?? '', error: reading.error ?? '' } },
    {
      checkId: polling!.checkId,
      description: polling!.description,
      result: recent ? 'passed' : 'failed',
      parameters: { lastRound: round ? new Date(round.at).toISOString() : 'none', devices: String(round?.devices ?? 0), up: String(round?.up ?? 0) },
    },
  ];
}

const badgeWords: BadgeWords = Object.fromEntries(
  (['en', 'ca', 'es'] as const).map((language) => [
    language,
    {
      up: text('badge.up')[language],
      down: text('badge.down')[language],
      unknown: text('badge.unknown')[language],
      availability: text('badge.availability')[language],
      in: text('graph.in')[language],
      out: text('graph.out')[language],
      ping: text('graph.ping')[language],
      pingMs: text('graph.pingMs')[language],
      pingLoss: text('graph.pingLoss')[language],
    },
  ]),
) as BadgeWords;

export const snpservicesModule: ModuleDefinition = {
  manifest: snpservicesManifest,
  translations: words,
  hooks: {
    checkConfig,
    async setup(runtime) {
      await runtime.callPrivileged('snpservices.prepareHome');
    },
    async beforeStart(runtime) {
      await writeConfig(runtime);
    },
    async applyConfig(runtime, previous) {
      // snmpd reads its config at start only (a SIGHUP would do, but a changed listening port needs a restart anyway).
      if (previous === null) return 'applied';
      return (await writeConfig(runtime)) ? 'restart' : 'applied';
    },
    whileRunning: pollWhileRunning,
    discoveryChanged,
    graphs,
    async details(runtime) {
      const statuses = server.statuses();
      const round = server.lastRound;
      const lines = [
        { label: text('detail.devices'), value: String(statuses.length) },
        { label: text('detail.up'), value: String(statuses.filter((status) => status.up === true).length) },
      ];
      // Values are figures and addresses, the same in every language.
      if (round) lines.push({ label: text('detail.lastRound'), value: `${new Date(round.at).toISOString()} · ${round.seconds.toFixed(1)} s · SNMP ${round.answered}/${round.devices}` });
      const { url, devices, error } = cnml.current;
      if (url !== '') lines.push({ label: text('detail.cnml'), value: error ? `${url}: ${error}` : `${url}: ${devices.length}` });
      lines.push({ label: text('detail.publicUrl'), value: `http://<node>:${runtime.nodePorts.http}/snpservices/devices.json` });
      return lines;
    },
    diagnose,
    publicData: (runtime, path, query) =>
      publicData(path, query, {
        server,
        history: runtime.series.history,
        words: badgeWords,
        renderPng: async (spec) => Buffer.from((await runtime.callPrivileged<{ pngBase64: string }>('snpservices.renderPng', { ...spec })).pngBase64, 'base64'),
      }),
    async consumeStates(runtime, _actionId, records) {
      const graphed = new Set((await currentDevices(runtime)).map((device) => device.target.address));
      return Object.fromEntries(records.map((record) => [record.key, record.type !== AGENT_TYPE ? 'unavailable' : graphed.has(record.address) ? 'done' : 'available']));
    },
    async consume(runtime, _actionId, record, mode) {
      const chosen = (runtime.config.chosenAgents as string[]).filter((address) => address !== record.address);
      const ignored = (runtime.config.ignoredAgents as string[]).filter((address) => address !== record.address);
      if (mode === 'do') chosen.push(record.address);
      else if (graphedAgents({ discovered: [record], graphDiscovered: runtime.config.graphDiscovered as boolean, chosen: [], ignored: [] }).length > 0) ignored.push(record.address);
      await runtime.saveConfig({ chosenAgents: chosen, ignoredAgents: ignored });
    },
  },
};
