// Polls SNMP agents over UDP with net-snmp: sysName, sysUpTime and the IF-MIB traffic counters of each interface, for
// many devices at once through a bounded pool. A device that does not answer is a reading with an error, never a throw.
import net from 'node:net';

import snmp from 'net-snmp';

import { bulkRequest, nextRequest, walkColumns, type WalkResult } from './snmp-walk.ts';
import { counter64, displayString } from './snmp-values.ts';

export interface SnmpTarget {
  key: string;
  address: string;
  port: number;
  community: string;
  version: '1' | '2c';
}

export interface InterfaceReading {
  index: number;
  name: string;
  inOctets: bigint;
  outOctets: bigint;
  bits: 32 | 64;
  operUp: boolean;
}

export interface DeviceReading {
  key: string;
  /** ms epoch when the answer came (or when the poller gave up). */
  at: number;
  answered: boolean;
  error?: string;
  sysName?: string;
  /** sysUpTime, hundredths of a second since the agent started. */
  uptimeHundredths?: number;
  interfaces: InterfaceReading[];
}

export interface PollOptions {
  /** Per try of each request; default 2000 ms. */
  timeoutMs?: number;
  /** Tries after the first; default 1. */
  retries?: number;
  signal?: AbortSignal;
  /** Interfaces kept per device; default 256. */
  maxInterfaces?: number;
  /** GETBULK repetitions per request (v2c); default 10: one round trip for most community devices. */
  maxRepetitions?: number;
}

export const POLL_DEFAULTS = { timeoutMs: 2000, retries: 1, maxInterfaces: 256, maxRepetitions: 10, concurrency: 32 } as const;

// SNMPv2-MIB system group (RFC 3418) and IF-MIB (RFC 2863): ifTable is 1.3.6.1.2.1.2.2.1, ifXTable 1.3.6.1.2.1.31.1.1.1.
const SYS_UPTIME = '1.3.6.1.2.1.1.3';
const SYS_NAME = '1.3.6.1.2.1.1.5';
const IF = {
  descr: '1.3.6.1.2.1.2.2.1.2',
  operStatus: '1.3.6.1.2.1.2.2.1.8',
  inOctets: '1.3.6.1.2.1.2.2.1.10',
  outOctets: '1.3.6.1.2.1.2.2.1.16',
  name: '1.3.6.1.2.1.31.1.1.1.1',
  hcInOctets: '1.3.6.1.2.1.31.1.1.1.6',
  hcOutOctets: '1.3.6.1.2.1.31.1.1.1.10',
} as const;
/** Counter64 does not exist in SNMPv1 (RFC 2576 §4.1.2.1): v1 reads the 32-bit counters only. */
const V1_COLUMNS = [IF.descr, IF.operStatus, IF.inOctets, IF.outOctets, IF.name];
const V2C_COLUMNS = [...V1_COLUMNS, IF.hcInOctets, IF.hcOutOctets];
const IF_OPER_UP = 1;

function checkTarget(target: SnmpTarget): string | null {
  if (net.isIP(target.address) === 0) return `The address "${displayString(target.address)}" is not an IP address.`;
  if (!Number.isInteger(target.port) || target.port < 1 || target.port > 65535) return `The SNMP port ${target.port} is not between 1 and 65535.`;
  if (target.community.length === 0 || target.community.length > 255) return 'The SNMP community must have 1 to 255 characters.';
  if (target.version !== '1' && target.version !== '2c') return 'The SNMP version must be 1 or 2c.';
  return null;
}

function errorSentence(target: SnmpTarget, error: unknown, options: Required<Pick<PollOptions, 'timeoutMs' | 'retries'>>): string {
  const where = `${target.address}:${target.port}`;
  if (error instanceof snmp.RequestTimedOutError) {
    const tries = options.retries + 1;
    return `No answer from ${where} in ${options.timeoutMs / 1000} s (${tries} ${tries === 1 ? 'try' : 'tries'}): the device is off or unreachable, SNMP is not running on that port, or the agent does not accept this community.`;
  }
  // Messages that quote the agent's answer (a community, an OID) are the agent's words: shown clipped and cleaned.
  if (error instanceof snmp.ResponseInvalidError) return `The SNMP agent at ${where} sent an answer that does not match the request (${snmp.ResponseInvalidCode[error.code] ?? error.code}).`;
  if (error instanceof snmp.RequestFailedError) return `The SNMP agent at ${where} refused the request: ${displayString(error.message, 120)}.`;
  return `Polling ${where} stopped: ${displayString(error instanceof Error ? error.message : String(error), 120)}.`;
}

const numberOf = (varbind: snmp.Varbind | undefined, type: number) => (varbind?.type === type && typeof varbind.value === 'number' ? varbind.value : undefined);

function counterOf(varbind: snmp.Varbind | undefined): bigint | undefined {
  if (varbind?.type === snmp.ObjectType.Counter64 && Buffer.isBuffer(varbind.value)) return counter64(varbind.value) ?? undefined;
  const value = numberOf(varbind, snmp.ObjectType.Counter32);
  return value === undefined ? undefined : BigInt(value);
}

function textOf(varbind: snmp.Varbind | undefined): string {
  return varbind?.type === snmp.ObjectType.OctetString && Buffer.isBuffer(varbind.value) ? displayString(varbind.value) : '';
}

/** One reading per interface that has both counters of one width: the 64-bit ones when the agent has them. */
function interfacesOf(walk: WalkResult): InterfaceReading[] {
  const column = (oid: string) => walk.columns.get(oid) ?? new Map<number, snmp.Varbind>();
  const indexes = new Set([...column(IF.descr).keys(), ...column(IF.name).keys(), ...column(IF.inOctets).keys(), ...column(IF.hcInOctets).keys()]);
  const interfaces: InterfaceReading[] = [];
  for (const index of [...indexes].sort((a, b) => a - b)) {
    const hc = [counterOf(column(IF.hcInOctets).get(index)), counterOf(column(IF.hcOutOctets).get(index))];
    const low = [counterOf(column(IF.inOctets).get(index)), counterOf(column(IF.outOctets).get(index))];
    const [counters, bits] = hc[0] !== undefined && hc[1] !== undefined ? [hc, 64 as const] : [low, 32 as const];
    if (counters[0] === undefined || counters[1] === undefined) continue;
    const name = textOf(column(IF.name).get(index)) || textOf(column(IF.descr).get(index)) || `ifIndex ${index}`;
    const operUp = numberOf(column(IF.operStatus).get(index), snmp.ObjectType.Integer) === IF_OPER_UP;
    interfaces.push({ index, name, inOctets: counters[0], outOctets: counters[1], bits, operUp });
  }
  return interfaces;
}

/** Reads one agent. Resolves with `answered: false` and an error sentence when it cannot; never rejects. */
export async function pollDevice(target: SnmpTarget, options: PollOptions = {}): Promise<DeviceReading> {
  const timeoutMs = options.timeoutMs ?? POLL_DEFAULTS.timeoutMs;
  const retries = options.retries ?? POLL_DEFAULTS.retries;
  const maxRows = options.maxInterfaces ?? POLL_DEFAULTS.maxInterfaces;
  const unanswered = (error: string): DeviceReading => ({ key: target.key, at: Date.now(), answered: false, error, interfaces: [] });
  const invalid = checkTarget(target);
  if (invalid) return unanswered(invalid);
  if (options.signal?.aborted) return unanswered('Polling was stopped before this device was asked.');

  let session: snmp.Session;
  try {
    session = snmp.createSession(target.address, target.community, {
      port: target.port,
      retries,
      timeout: timeoutMs,
      transport: net.isIPv6(target.address) ? 'udp6' : 'udp4',
      version: target.version === '1' ? snmp.Version1 : snmp.Version2c,
    });
  } catch (error) {
    return unanswered(errorSentence(target, error, { timeoutMs, retries }));
  }
  // Without a listener, an undecodable datagram (net-snmp emits 'error' for it) would throw out of the socket's handler.
  session.on('error', () => {});
  const close = () => {
    try {
      session.close();
    } catch { /* already closed */ }
  };
  options.signal?.addEventListener('abort', close, { once: true });
  try {
    const walk = await walkColumns(target.version === '1' ? nextRequest(session) : bulkRequest(session), [SYS_UPTIME, SYS_NAME], target.version === '1' ? V1_COLUMNS : V2C_COLUMNS, {
      maxRows,
      maxRequests: maxRows + 16,
      maxRepetitions: options.maxRepetitions ?? POLL_DEFAULTS.maxRepetitions,
      // Each request may take all its tries; a device that answers slowly cannot hold its pool slot longer than this.
      deadline: Date.now() + 8 * timeoutMs * (retries + 1),
    });
    const uptime = walk.scalars.get(SYS_UPTIME);
    const name = walk.scalars.get(SYS_NAME);
    return {
      key: target.key,
      at: walk.firstAnswerAt,
      answered: true,
      ...(walk.error && { error: errorSentence(target, walk.error, { timeoutMs, retries }) }),
      ...(name?.oid === `${SYS_NAME}.0` && textOf(name) && { sysName: textOf(name) }),
      ...(uptime?.oid === `${SYS_UPTIME}.0` && numberOf(uptime, snmp.ObjectType.TimeTicks) !== undefined && { uptimeHundredths: numberOf(uptime, snmp.ObjectType.TimeTicks) }),
      interfaces: interfacesOf(walk),
    };
  } catch (error) {
    return unanswered(options.signal?.aborted ? 'Polling was stopped before this device answered.' : errorSentence(target, error, { timeoutMs, retries }));
  } finally {
    options.signal?.removeEventListener('abort', close);
    close();
  }
}

/** Reads every target, at most `concurrency` at a time (one UDP socket each); readings in the targets' order. */
export async function pollDevices(targets: SnmpTarget[], options: PollOptions & { concurrency?: number } = {}): Promise<DeviceReading[]> {
  const concurrency = Math.max(1, Math.min(options.concurrency ?? POLL_DEFAULTS.concurrency, targets.length));
  const readings: DeviceReading[] = new Array(targets.length);
  let next = 0;
  const worker = async () => {
    while (next < targets.length) {
      const position = next++;
      readings[position] = await pollDevice(targets[position]!, options);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return readings;
}
