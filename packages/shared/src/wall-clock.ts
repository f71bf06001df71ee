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
      timeZone: timezone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
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

/** How far the zone's clock is ahead of UTC at `instant`, in milliseconds (whole seconds). */
export function utcOffsetMs(instant: Date, timezone: string): number {
  const c = wallClock(instant, timezone);
  return Date.UTC(c.year, c.month - 1, c.day, c.hour, c.minute, c.second) - Math.floor(instant.getTime() / 1000) * 1000;
}

/**
 * The instant a clock in `timezone` showed the given wall time. Around a DST change the
 * offset of the guessed instant is corrected once more; a wall time that does not exist
 * (skipped hour) resolves to the later offset, one that happens twice to the first.
 */
export function instantFromWallClock(fields: WallClock, timezone: string): Date {
  const wallAsUtc = Date.UTC(fields.year, fields.month - 1, fields.day, fields.hour, fields.minute, fields.second);
  const offsetAt = (instant: number) => utcOffsetMs(new Date(instant), timezone);
  let instant = wallAsUtc - offsetAt(wallAsUtc);
  instant = wallAsUtc - offsetAt(instant);
  return new Date(instant);
}

/**
 * Every instant a clock in `timezone` showed the given wall time, earliest first: two in the hour
 * repeated when DST ends, none in the hour skipped when it starts (then the one instant that
 * `instantFromWallClock` gives, read with the offset before the change).
 */
export function instantsFromWallClock(fields: WallClock, timezone: string): Date[] {
  const wallAsUtc = Date.UTC(fields.year, fields.month - 1, fields.day, fields.hour, fields.minute, fields.second);
  const offsetAt = (instant: number) => utcOffsetMs(new Date(instant), timezone);
  const found = new Set<number>();
  // DST changes are at most a few hours wide; the offsets in force a day before and after cover both readings.
  for (const probe of [wallAsUtc - 86_400_000, wallAsUtc, wallAsUtc + 86_400_000]) {
    const instant = wallAsUtc - offsetAt(probe);
    const back = wallClock(new Date(instant), timezone);
    if (
      back.year === fields.year &&
      back.month === fields.month &&
      back.day === fields.day &&
      back.hour === fields.hour &&
      back.minute === fields.minute &&
      back.second === fields.second
    )
      found.add(instant);
  }
  if (found.size === 0) return [instantFromWallClock(fields, timezone)];
  return [...found].sort((a, b) => a - b).map((t) => new Date(t));
}

/** True when Intl knows the zone (an IANA name such as "Europe/Paris"). */
const knownZones = new Map<string, boolean>();

/** Whether Intl knows the zone; remembered, since every host of a run asks about the same few. */
export function isKnownTimeZone(zone: string): boolean {
  let known = knownZones.get(zone);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
      known = true;
    } catch {
      known = false;
    }
    if (knownZones.size < 10_000) knownZones.set(zone, known);
  }
  return known;
}
