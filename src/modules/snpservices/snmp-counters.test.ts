// Traffic rates from two readings: counter wraps at 2^32 and 2^64, reboots, resets, missing or changed interfaces.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { CounterRangeError, counterDelta, interfaceRates, MAX_BYTES_PER_SECOND } from './snmp-counters.ts';
import type { DeviceReading, InterfaceReading } from './snmp-poller.ts';

const eth0 = (inOctets: bigint, outOctets: bigint, bits: 32 | 64 = 64): InterfaceReading => ({ index: 2, name: 'eth0', inOctets, outOctets, bits, operUp: true });

function reading(overrides: Partial<DeviceReading>): DeviceReading {
  return { key: 'd1', at: 1_700_000_000_000, answered: true, uptimeHundredths: 100_000, interfaces: [], ...overrides };
}

test('counterDelta: the difference, or one wrap at 2^32 or 2^64', () => {
  assert.equal(counterDelta(100n, 350n, 32), 250n);
  assert.equal(counterDelta(4_294_967_000n, 500n, 32), 796n, '296 bytes up to 2^32, then 500');
  assert.equal(counterDelta(4_294_967_295n, 0n, 32), 1n);
  assert.equal(counterDelta(2n ** 64n - 10n, 20n, 64), 30n);
  assert.equal(counterDelta(5n, 5n, 64), 0n);
  assert.throws(() => counterDelta(2n ** 32n, 1n, 32), CounterRangeError, 'not a 32-bit value');
  assert.throws(() => counterDelta(-1n, 1n, 64), CounterRangeError);
});

test('rates over the agent’s clock (sysUpTime) when both readings have it', () => {
  const previous = reading({ interfaces: [eth0(1_000n, 2_000n)] });
  // 300 s by sysUpTime, although the poller's clock says 310 s (the first answer came late).
  const current = reading({ at: previous.at + 310_000, uptimeHundredths: 130_000, interfaces: [eth0(301_000n, 62_000n)] });
  assert.deepEqual(interfaceRates(previous, current), [{ index: 2, name: 'eth0', inBytesPerSecond: 1000, outBytesPerSecond: 200 }]);
});

test('rates over the poller’s clock when a reading has no sysUpTime', () => {
  const previous = reading({ uptimeHundredths: undefined, interfaces: [eth0(0n, 0n)] });
  const current = reading({ at: previous.at + 10_000, uptimeHundredths: 5, interfaces: [eth0(10_000n, 5_000n)] });
  assert.deepEqual(interfaceRates(previous, current), [{ index: 2, name: 'eth0', inBytesPerSecond: 1000, outBytesPerSecond: 500 }]);
});

test('a 32-bit wrap and a 64-bit wrap give the bytes across the wrap', () => {
  const previous = reading({ interfaces: [eth0(4_294_967_000n, 10n, 32), { ...eth0(2n ** 64n - 1_000n, 0n), index: 3, name: 'wlan0' }] });
  const current = reading({ uptimeHundredths: 100_100, interfaces: [eth0(500n, 10n, 32), { ...eth0(3_000n, 0n), index: 3, name: 'wlan0' }] });
  assert.deepEqual(interfaceRates(previous, current), [
    { index: 2, name: 'eth0', inBytesPerSecond: 796, outBytesPerSecond: 0 },
    { index: 3, name: 'wlan0', inBytesPerSecond: 4000, outBytesPerSecond: 0 },
  ]);
});

test('no rates when the device rebooted (sysUpTime went back), even if the counters grew', () => {
  const previous = reading({ uptimeHundredths: 500_000, interfaces: [eth0(1_000n, 1_000n)] });
  const current = reading({ at: previous.at + 300_000, uptimeHundredths: 30_000, interfaces: [eth0(5_000n, 5_000n)] });
  assert.deepEqual(interfaceRates(previous, current), []);
});

test('no rates when no time passed, for another device, or when a reading went unanswered', () => {
  const previous = reading({ interfaces: [eth0(1n, 1n)] });
  assert.deepEqual(interfaceRates(previous, reading({ interfaces: [eth0(2n, 2n)] })), [], 'same sysUpTime');
  assert.deepEqual(interfaceRates(reading({ uptimeHundredths: undefined, interfaces: [eth0(1n, 1n)] }), reading({ uptimeHundredths: undefined, at: previous.at - 1, interfaces: [eth0(2n, 2n)] })), [], 'clock went back');
  const later = reading({ uptimeHundredths: 100_100, interfaces: [eth0(2n, 2n)] });
  assert.deepEqual(interfaceRates(previous, { ...later, key: 'd2' }), []);
  assert.deepEqual(interfaceRates(previous, { ...later, answered: false, interfaces: [] }), []);
});

test('a missing, new, renamed or re-sized interface gets no rate; the others do', () => {
  const previous = reading({ interfaces: [eth0(0n, 0n), { ...eth0(0n, 0n), index: 3, name: 'wlan0' }, { ...eth0(0n, 0n), index: 4, name: 'br-lan' }, { ...eth0(0n, 0n), index: 5, name: 'ath0' }] });
  const current = reading({
    uptimeHundredths: 100_100,
    interfaces: [
      eth0(100n, 100n), // index 3 (wlan0) is missing
      { ...eth0(100n, 100n), index: 4, name: 'br-lan', bits: 32 }, // 64 → 32 bits
      { ...eth0(100n, 100n), index: 5, name: 'wlan1' }, // index reused by another interface
      { ...eth0(100n, 100n), index: 6, name: 'tun0' }, // new
    ],
  });
  assert.deepEqual(interfaceRates(previous, current).map((rate) => rate.name), ['eth0']);
});

test('a counter reset without a reboot (an implausible delta) gives no rate', () => {
  const previous = reading({ interfaces: [eth0(5_000_000n, 5_000_000n)] });
  // 64-bit counters going back to 0 look like 2^64 - 5 MB in 300 s.
  const current = reading({ uptimeHundredths: 130_000, interfaces: [eth0(100n, 100n)] });
  assert.deepEqual(interfaceRates(previous, current), []);
  // Just under the limit stays.
  const fast = BigInt(Math.floor(MAX_BYTES_PER_SECOND * 300));
  const busy = reading({ uptimeHundredths: 130_000, interfaces: [eth0(5_000_000n + fast, 5_000_000n)] });
  assert.equal(interfaceRates(previous, busy).length, 1);
});

test('stored readings with impossible values give no rate instead of throwing', () => {
  const previous = reading({ interfaces: [eth0(2n ** 40n, 0n, 32)] });
  const current = reading({ uptimeHundredths: 100_100, interfaces: [eth0(1n, 0n, 32)] });
  assert.deepEqual(interfaceRates(previous, current), []);
});
