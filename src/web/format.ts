// Number, size, duration, relative time and count formatting in the active language.
import { activeLocale, type MessageKey, t } from './i18n/i18n.ts';

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

export function formatNumber(value: number, fractionDigits = 1): string {
  return new Intl.NumberFormat(activeLocale(), { maximumFractionDigits: fractionDigits }).format(value);
}

export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${formatNumber(value)} ${BYTE_UNITS[unit]}`;
}

export function formatUptime(totalSeconds: number): string {
  const days = Math.floor(totalSeconds / 86_400);
  const hours = Math.floor((totalSeconds % 86_400) / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  return days > 0 ? t('format.uptimeDays', { days, hours, minutes }) : t('format.uptimeHours', { hours, minutes });
}

export function formatTime(isoTime: string): string {
  const time = new Date(isoTime);
  return Number.isNaN(time.getTime()) ? isoTime : time.toLocaleString(activeLocale());
}

/** "Device ID" → "device-id", for data-testid and element ids built from labels. */
export function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

/** Largest unit first: a time is shown in the first unit it reaches. */
const RELATIVE_UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['day', 86_400],
  ['hour', 3600],
  ['minute', 60],
];

/** "5 minutes ago", "fa 5 minuts", "hace 5 minutos"; "now" for the last few seconds (and for a peer's clock ahead of ours). */
export function formatRelativeTime(isoTime: string, now: number = Date.now()): string {
  const time = Date.parse(isoTime);
  if (Number.isNaN(time)) return isoTime;
  const secondsAgo = Math.max(0, Math.round((now - time) / 1000));
  const format = new Intl.RelativeTimeFormat(activeLocale(), { numeric: 'auto' });
  if (secondsAgo < 10) return format.format(0, 'second');
  for (const [unit, size] of RELATIVE_UNITS) {
    if (secondsAgo >= size) return format.format(-Math.floor(secondsAgo / size), unit);
  }
  return format.format(-secondsAgo, 'second');
}

/** A round trip in milliseconds: "12.3 ms". */
export const formatRtt = (rttMs: number): string => `${formatNumber(rttMs, 1)} ms`;

/** The message for one or for many, by the active language's plural rules. */
export function countText(count: number, oneKey: MessageKey, otherKey: MessageKey): string {
  const plural = new Intl.PluralRules(activeLocale()).select(count);
  return t(plural === 'one' ? oneKey : otherKey, { count: formatNumber(count, 0) });
}
