import { wallDateTime } from '@infra-report/shared';

/** Binary units as df -h prints them. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

export function formatDuration(seconds: number): string {
  const days = Math.floor(seconds / 86400);
  const hours = Math.floor((seconds % 86400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  return days > 0 ? `${days}d ${hours}h ${minutes}m` : `${hours}h ${minutes}m`;
}

/** A date and time in the report's time zone, e.g. "2026-11-22 08:00". */
export function formatTime(instant: Date, timezone: string): string {
  return wallDateTime(instant, timezone);
}

const countFormat = new Intl.NumberFormat('en-US');

/** A whole number with thousands separators: 57,200. */
export function formatCount(n: number): string {
  return countFormat.format(n);
}
