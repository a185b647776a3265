// Number, size and duration formatting in the active language.
import { activeLocale, t } from './i18n/i18n.ts';

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
