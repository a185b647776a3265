// Pure: traffic rates from two readings of one device's IF-MIB octet counters, with wraps, reboots and resets handled.
import type { DeviceReading } from './snmp-poller.ts';

export interface InterfaceRate {
  index: number;
  name: string;
  inBytesPerSecond: number;
  outBytesPerSecond: number;
}

/** Fastest believable traffic on one interface: 100 Gbit/s. More means the counter was reset, not that bytes flowed. */
export const MAX_BYTES_PER_SECOND = 100e9 / 8;

export class CounterRangeError extends Error {
  override name = 'CounterRangeError';
}

/**
 * Bytes counted between two readings of a Counter32/Counter64. A counter that went down wrapped once at 2^bits
 * (RFC 2578 §7.1.6, §7.1.10); several wraps between two readings cannot be seen, which is why the 64-bit ones are read.
 */
export function counterDelta(previous: bigint, current: bigint, bits: 32 | 64): bigint {
  const modulus = 1n << BigInt(bits);
  for (const value of [previous, current]) {
    if (value < 0n || value >= modulus) throw new CounterRangeError(`${value} is not a ${bits}-bit counter value`);
  }
  return current >= previous ? current - previous : current + modulus - previous;
}

/**
 * Seconds between two readings: by the agent's own clock (sysUpTime) when both have it, else by the poller's.
 * Null when the agent restarted in between (its uptime went back: its counters may have restarted too) or no time passed.
 */
function elapsedSeconds(previous: DeviceReading, current: DeviceReading): number | null {
  if (previous.uptimeHundredths !== undefined && current.uptimeHundredths !== undefined) {
    const hundredths = current.uptimeHundredths - previous.uptimeHundredths;
    return hundredths > 0 ? hundredths / 100 : null;
  }
  const seconds = (current.at - previous.at) / 1000;
  return seconds > 0 ? seconds : null;
}

/**
 * Rates of the interfaces present in both readings with the same name and counter width. None when the readings are
 * of different devices, either went unanswered, or the agent restarted; none for an interface whose rate is above
 * MAX_BYTES_PER_SECOND (a counter reset without a restart shows up as a huge 64-bit delta).
 */
export function interfaceRates(previous: DeviceReading, current: DeviceReading): InterfaceRate[] {
  if (previous.key !== current.key || !previous.answered || !current.answered) return [];
  const seconds = elapsedSeconds(previous, current);
  if (seconds === null) return [];
  const before = new Map(previous.interfaces.map((reading) => [reading.index, reading]));
  const rates: InterfaceRate[] = [];
  for (const now of current.interfaces) {
    const then = before.get(now.index);
    if (!then || then.bits !== now.bits || (now.bits !== 32 && now.bits !== 64) || then.name !== now.name) continue;
    const modulus = 1n << BigInt(now.bits);
    const values = [then.inOctets, now.inOctets, then.outOctets, now.outOctets];
    // Readings come back from storage too: a value that cannot be this counter gives no rate rather than an exception.
    if (values.some((value) => typeof value !== 'bigint' || value < 0n || value >= modulus)) continue;
    const inBytesPerSecond = Number(counterDelta(then.inOctets, now.inOctets, now.bits)) / seconds;
    const outBytesPerSecond = Number(counterDelta(then.outOctets, now.outOctets, now.bits)) / seconds;
    if (inBytesPerSecond > MAX_BYTES_PER_SECOND || outBytesPerSecond > MAX_BYTES_PER_SECOND) continue;
    rates.push({ index: now.index, name: now.name, inBytesPerSecond, outBytesPerSecond });
  }
  return rates;
}
