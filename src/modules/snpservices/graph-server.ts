// The graph server's rounds: poll every device by SNMP and ping them all at once, turn counters into rates against
// the previous round, store the points, and keep each device's latest state for the badges, JSON and the panel.
import type { PingSummary } from './fping-summary.ts';
import { interfaceRates } from './snmp-counters.ts';
import type { DeviceReading, SnmpTarget } from './snmp-poller.ts';

export type DeviceSource = 'manual' | 'cnml' | 'discovered';

export interface GraphedDevice {
  /** Stable and URL-safe: `m.<name>` (added by hand), `c.<CNML id>`, `n.<address>` (discovered). */
  key: string;
  name: string;
  source: DeviceSource;
  target: SnmpTarget;
  /** The device's id in guifi.net's CNML, for the legacy availability URL. */
  cnmlId?: string;
}

export interface InterfaceFigures {
  index: number;
  name: string;
  inBytesPerSecond: number;
  outBytesPerSecond: number;
  /** Bytes counted between the last two rounds, and the seconds between them (by the device's own clock when known). */
  inBytes: number;
  outBytes: number;
  seconds: number;
}

export interface DeviceStatus {
  device: GraphedDevice;
  /** Up: it answered SNMP or a ping in the last round; null before its first round. */
  up: boolean | null;
  lastRoundAt: number | null;
  /** When it last answered anything (ms). */
  lastSeenAt: number | null;
  sysName: string | null;
  uptimeSeconds: number | null;
  ping: PingSummary | null;
  interfaces: InterfaceFigures[];
  /** Why SNMP gave nothing, when it did not. */
  snmpError: string | null;
}

export interface RoundSummary {
  at: number;
  devices: number;
  answered: number;
  up: number;
  seconds: number;
}

export interface RoundDeps {
  ping(addresses: string[]): Promise<Record<string, PingSummary>>;
  record(values: Record<string, number>, atSeconds: number): void;
  signal?: AbortSignal;
  concurrency?: number;
}

/** Series of one device, as stored (the module's own names; cloudyd keeps them apart from others'). */
export const seriesOf = {
  interfaceIn: (key: string, index: number) => `${key}:if.${index}:in`,
  interfaceOut: (key: string, index: number) => `${key}:if.${index}:out`,
  pingMs: (key: string) => `${key}:ping.ms`,
  pingLoss: (key: string) => `${key}:ping.loss`,
  up: (key: string) => `${key}:up`,
};

const MAX_GRAPHED_INTERFACES = 64;

function secondsBetween(previous: DeviceReading, current: DeviceReading): number {
  if (previous.uptimeHundredths !== undefined && current.uptimeHundredths !== undefined && current.uptimeHundredths > previous.uptimeHundredths) {
    return (current.uptimeHundredths - previous.uptimeHundredths) / 100;
  }
  return (current.at - previous.at) / 1000;
}

export class GraphServer {
  /** The last answered reading of each device: the next round's rates are against it. */
  private readonly readings = new Map<string, DeviceReading>();
  private readonly states = new Map<string, DeviceStatus>();
  private summary: RoundSummary | null = null;

  get lastRound(): RoundSummary | null {
    return this.summary;
  }

  /** Devices in the order given to the last round (with their state), and any known since that is gone dropped. */
  statuses(): DeviceStatus[] {
    return [...this.states.values()];
  }

  status(key: string): DeviceStatus | undefined {
    return this.states.get(key);
  }

  /** Sets the device list without polling (a settings change): new devices show as not polled yet. */
  track(devices: GraphedDevice[]): void {
    const wanted = new Map(devices.map((device) => [device.key, device]));
    for (const key of this.states.keys()) if (!wanted.has(key)) this.forget(key);
    for (const device of devices) {
      const known = this.states.get(device.key);
      // A device whose address or credentials changed starts its counters again.
      if (known && JSON.stringify(known.device.target) !== JSON.stringify(device.target)) this.forget(device.key);
      this.states.set(device.key, { ...(this.states.get(device.key) ?? emptyStatus(device)), device });
    }
  }

  /** Polls and pings every device once; null when `deps.signal` stopped it (nothing of a cut round is kept). */
  async round(devices: GraphedDevice[], deps: RoundDeps): Promise<RoundSummary | null> {
    const started = Date.now();
    this.track(devices);
    // The SNMP library loads with the first round, not with cloudyd (most nodes never graph anything).
    const { pollDevices } = await import('./snmp-poller.ts');
    const [readings, pings] = await Promise.all([
      pollDevices(
        devices.map((device) => device.target),
        { concurrency: deps.concurrency ?? 32, signal: deps.signal },
      ),
      deps.ping([...new Set(devices.map((device) => device.target.address))]).catch(() => ({}) as Record<string, PingSummary>),
    ]);
    // Stopped midway (the module stopped, its settings changed): its devices did not fail to answer.
    if (deps.signal?.aborted) return null;
    const atSeconds = Math.floor(Date.now() / 1000);
    const values: Record<string, number> = {};
    const byKey = new Map(readings.map((reading) => [reading.key, reading]));
    let answered = 0;
    let up = 0;
    for (const device of devices) {
      const reading = byKey.get(device.target.key);
      const ping = pings[device.target.address] ?? null;
      const state = this.states.get(device.key) ?? emptyStatus(device);
      const pinged = ping !== null && ping.received > 0;
      const isUp = (reading?.answered ?? false) || pinged;
      state.up = isUp;
      state.lastRoundAt = Date.now();
      state.ping = ping;
      if (isUp) state.lastSeenAt = Date.now();
      values[seriesOf.up(device.key)] = isUp ? 1 : 0;
      if (ping !== null) {
        values[seriesOf.pingLoss(device.key)] = ping.sent > 0 ? (100 * (ping.sent - ping.received)) / ping.sent : 100;
        if (ping.averageMs !== null) values[seriesOf.pingMs(device.key)] = ping.averageMs;
      }
      if (reading?.answered) {
        answered += 1;
        this.takeReading(device, state, reading, values);
      } else {
        state.snmpError = reading?.error ?? 'not polled';
        state.interfaces = [];
      }
      if (isUp) up += 1;
      this.states.set(device.key, state);
    }
    deps.record(values, atSeconds);
    this.summary = { at: Date.now(), devices: devices.length, answered, up, seconds: (Date.now() - started) / 1000 };
    return this.summary;
  }

  private takeReading(device: GraphedDevice, state: DeviceStatus, reading: DeviceReading, values: Record<string, number>): void {
    state.snmpError = null;
    state.sysName = reading.sysName ?? null;
    state.uptimeSeconds = reading.uptimeHundredths === undefined ? null : Math.floor(reading.uptimeHundredths / 100);
    const previous = this.readings.get(device.key);
    const rates = previous ? interfaceRates(previous, reading) : [];
    const seconds = previous ? secondsBetween(previous, reading) : 0;
    state.interfaces = rates.slice(0, MAX_GRAPHED_INTERFACES).map((rate) => ({
      index: rate.index,
      name: rate.name,
      inBytesPerSecond: rate.inBytesPerSecond,
      outBytesPerSecond: rate.outBytesPerSecond,
      inBytes: Math.round(rate.inBytesPerSecond * seconds),
      outBytes: Math.round(rate.outBytesPerSecond * seconds),
      seconds,
    }));
    for (const rate of state.interfaces) {
      values[seriesOf.interfaceIn(device.key, rate.index)] = rate.inBytesPerSecond;
      values[seriesOf.interfaceOut(device.key, rate.index)] = rate.outBytesPerSecond;
    }
    this.readings.set(device.key, reading);
  }

  private forget(key: string): void {
    this.states.delete(key);
    this.readings.delete(key);
  }
}

function emptyStatus(device: GraphedDevice): DeviceStatus {
  return { device, up: null, lastRoundAt: null, lastSeenAt: null, sysName: null, uptimeSeconds: null, ping: null, interfaces: [], snmpError: null };
}
