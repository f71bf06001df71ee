import { isKnownTimeZone, utcOffsetMs } from '@infra-report/shared';
import { excerpt, type Parsed } from './parse-result.js';

/**
 * The host's clock and the zone its syslog daemon writes in. rsyslog, syslog-ng and journald
 * (for its text output) take the zone from /etc/localtime; /etc/timezone is Debian's note of the
 * same, which can be left behind by hand edits and images. `date +%z` with TZ unset is what
 * /etc/localtime gives now: the cross-check. A copied /etc/localtime (no link) is compared with
 * the zone file that /etc/timezone names.
 */
export const hostZoneCommand = [
  // In the batch's own shell: every later section (who, date) then reads times as the logger
  // writes them, with TZ unset.
  'unset TZ',
  "date '+%s %z'",
  'ir_clock_link=$(readlink /etc/localtime 2>/dev/null); echo "localtime-link $ir_clock_link"',
  // read is a builtin: no process for a one-line file.
  "ir_clock_tz=''; [ -r /etc/timezone ] && read -r ir_clock_tz < /etc/timezone",
  'echo "timezone ${ir_clock_tz%%[[:space:]]*}"',
  'if [ -z "$ir_clock_link" ] && [ -f /etc/localtime ]; then',
  '  if [ -n "$ir_clock_tz" ] && [ -f "/usr/share/zoneinfo/$ir_clock_tz" ]; then',
  '    if cmp -s /etc/localtime "/usr/share/zoneinfo/$ir_clock_tz"; then echo "localtime-copy same"; else echo "localtime-copy differs"; fi',
  '  else echo "localtime-copy unknown"; fi',
  'fi',
].join('\n');

export interface HostClock {
  epochSeconds: number | null;
  /** What `date +%z` said: "+0100". */
  utcOffset: string | null;
  /** The IANA zone the host's logger writes in, when known and consistent with `date`. */
  timeZone: string | null;
}

const zoneNamePattern = /^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/;

function knownZone(name: string): string | null {
  const zone = name.replace(/^.*zoneinfo\//, '').replace(/^posix\//, '');
  return zoneNamePattern.test(zone) && isKnownTimeZone(zone) ? zone : null;
}

/** "+0100" of `zone` at `instant`, as `date +%z` writes it. */
export function offsetIn(zone: string, instant: Date): string {
  const minutes = Math.round(utcOffsetMs(instant, zone) / 60_000);
  const abs = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
}

/** Two names for one zone (Etc/UTC and UTC, Europe/Kiev and Europe/Kyiv) give the same offsets all year. */
function sameRules(a: string, b: string, around: Date): boolean {
  const halfYear = 182 * 86_400_000;
  return [-halfYear, -halfYear / 2, 0, halfYear / 2, halfYear].every(
    (shift) => offsetIn(a, new Date(around.getTime() + shift)) === offsetIn(b, new Date(around.getTime() + shift)),
  );
}

export function parseHostClock(text: string): Parsed<HostClock> {
  const lines = text.split('\n').map((l) => l.trim());
  const problems: string[] = [];
  const [epochText, offsetText] = (lines[0] ?? '').split(/\s+/);
  const epochSeconds = epochText && /^\d+$/.test(epochText) ? Number(epochText) : null;
  if (epochSeconds === null) problems.push(`unexpected date +%s output: ${excerpt(text)}`);
  const utcOffset = offsetText && /^[+-]\d{4}$/.test(offsetText) ? offsetText : null;
  if (utcOffset === null) problems.push(`unexpected date +%z output: ${excerpt(text)}`);
  const field = (key: string) => {
    const line = lines.find((l) => l === key || l.startsWith(`${key} `));
    return line === undefined ? null : line.slice(key.length).trim();
  };
  const link = field('localtime-link') ?? '';
  const timezoneFile = field('timezone') ?? '';
  const copy = field('localtime-copy');
  const named = timezoneFile ? knownZone(timezoneFile) : null;

  let zone: string | null = null;
  let from = '';
  if (link) {
    zone = knownZone(link);
    from = `/etc/localtime (a link to ${link})`;
    if (!zone) problems.push(`/etc/localtime links to ${excerpt(link)}, not a zone this reader knows`);
  } else if (copy === 'same' && named) {
    zone = named;
    from = '/etc/localtime (a copy of the /etc/timezone zone)';
  } else if (copy === 'differs') {
    problems.push(
      `/etc/localtime is not the zone /etc/timezone names (${excerpt(timezoneFile)}): log times are read at today's offset ${utcOffset ?? '?'}, an hour off across a DST change`,
    );
  } else if (copy === 'unknown') {
    problems.push(
      `/etc/localtime is a copy whose zone is not named anywhere: log times are read at today's offset ${utcOffset ?? '?'}, an hour off across a DST change`,
    );
  }
  const now = epochSeconds !== null ? new Date(epochSeconds * 1000) : new Date();
  if (zone && utcOffset && offsetIn(zone, now) !== utcOffset) {
    problems.push(
      `${from} gives ${offsetIn(zone, now)} but date +%z says ${utcOffset}: log times are read at ${utcOffset}`,
    );
    zone = null;
  }
  if (zone && timezoneFile && !(named && sameRules(named, zone, now))) {
    problems.push(
      `/etc/timezone says ${excerpt(timezoneFile)} but ${from}, the zone the syslog daemon writes in, is ${zone}: log times are read in ${zone} (timedatectl set-timezone ${zone} puts both in line)`,
    );
  }
  return { value: { epochSeconds, utcOffset, timeZone: zone }, problems };
}
