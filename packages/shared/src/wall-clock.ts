/** Calendar fields of an instant as a clock in `timezone` shows them. */
export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

// Building an Intl.DateTimeFormat costs far more than using one: one per zone, kept.
const formatters = new Map<string, Intl.DateTimeFormat>();

export function wallClock(instant: Date, timezone: string): WallClock {
  let formatter = formatters.get(timezone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
    });
    formatters.set(timezone, formatter);
  }
  const fields = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const part of formatter.formatToParts(instant)) {
    if (part.type in fields) fields[part.type as keyof WallClock] = Number(part.value);
  }
  return fields;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** YYYY-MM-DD in the zone. */
export function wallDate(instant: Date, timezone: string): string {
  const c = wallClock(instant, timezone);
  return `${c.year}-${pad(c.month)}-${pad(c.day)}`;
}

/** "YYYY-MM-DD HH:MM" in the zone. */
export function wallDateTime(instant: Date, timezone: string): string {
  const c = wallClock(instant, timezone);
  return `${c.year}-${pad(c.month)}-${pad(c.day)} ${pad(c.hour)}:${pad(c.minute)}`;
}
