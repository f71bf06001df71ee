import type { ClockSync } from '@infra-report/shared';
import { excerpt, type Parsed } from './parse-result.js';
import { simpleProbe } from './probe.js';

/**
 * Whether the clock is synchronised, without root: timedatectl (systemd-timesyncd, or any NTP
 * client systemd knows of), else chronyc's tracking report, else ntpq's peer list.
 */
export const clockSyncCommand = [
  // timedatectl asks systemd over D-Bus: only where systemd runs (not in containers, not on
  // hosts booted with another init), so the others pay no timedatectl process.
  'if [ -d /run/systemd/system ] && command -v timedatectl >/dev/null 2>&1 && ir_clock_t=$(timedatectl show -p NTPSynchronized -p NTP 2>/dev/null) && [ -n "$ir_clock_t" ]; then echo "ir-clock timedatectl"; echo "$ir_clock_t"',
  'elif command -v chronyc >/dev/null 2>&1; then echo "ir-clock chronyc"; chronyc -n tracking 2>&1',
  'elif command -v ntpq >/dev/null 2>&1; then echo "ir-clock ntpq"; ntpq -pn 2>&1',
  'else echo "ir-clock none"; fi',
].join('\n');

export function parseClockSync(text: string): Parsed<ClockSync | null> {
  const lines = text.split('\n').map((l) => l.trim());
  const tool = /^ir-clock (\S+)$/.exec(lines[0] ?? '')?.[1];
  const none: ClockSync = { tool: null, synchronized: null, serviceActive: null, offsetSeconds: null };
  switch (tool) {
    case 'timedatectl': {
      const field = (name: string) => lines.find((l) => l.startsWith(`${name}=`))?.slice(name.length + 1);
      const synced = field('NTPSynchronized');
      const ntp = field('NTP');
      return {
        value: {
          tool: 'timedatectl',
          synchronized: synced === undefined ? null : synced === 'yes',
          serviceActive: ntp === undefined ? null : ntp === 'yes',
          offsetSeconds: null,
        },
        problems: [],
      };
    }
    case 'chronyc': {
      const leap = lines
        .find((l) => l.startsWith('Leap status'))
        ?.split(':')[1]
        ?.trim();
      const offset = /^System time\s*:\s*([\d.]+) seconds (fast|slow)/.exec(
        lines.find((l) => l.startsWith('System time')) ?? '',
      );
      if (!leap)
        return {
          value: { ...none, tool: 'chronyc', serviceActive: false },
          problems: [`chronyc tracking: ${excerpt(lines.slice(1).join(' '))}`],
        };
      return {
        value: {
          tool: 'chronyc',
          synchronized: leap !== 'Not synchronised',
          serviceActive: true,
          offsetSeconds: offset?.[1] ? Number(offset[1]) * (offset[2] === 'slow' ? -1 : 1) : null,
        },
        problems: [],
      };
    }
    case 'ntpq': {
      // The system peer is marked with "*"; its offset is in milliseconds.
      const peer = lines.find((l) => l.startsWith('*'));
      const offset = peer?.split(/\s+/)[8];
      const refused = lines.some((l) => /Connection refused|timed out/i.test(l));
      return {
        value: {
          tool: 'ntpq',
          synchronized: refused ? false : Boolean(peer),
          serviceActive: !refused,
          offsetSeconds: offset && Number.isFinite(Number(offset)) ? Number(offset) / 1000 : null,
        },
        problems: [],
      };
    }
    case 'none':
      return { value: none, problems: ['no timedatectl, chronyc or ntpq: clock synchronisation not checked'] };
    default:
      return { value: null, problems: [`unexpected clock synchronisation output: ${excerpt(text)}`] };
  }
}

/** Whether the clock is synchronised (timedatectl, chrony, ntpd). */
// In the batch's own shell (its variable is ir_clock_t): no subshell.
export const clockSyncProbe = simpleProbe('clock-sync', 'clockSync', clockSyncCommand, parseClockSync, null, {
  inline: true,
});
