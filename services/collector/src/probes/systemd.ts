import type { Parsed } from './parse-result.js';
import { simpleProbe } from './probe.js';

export const failedUnitsCommand = [
  'if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then',
  '  systemctl list-units --state=failed --no-legend --plain --no-pager',
  'else echo ir-no-systemd; fi',
].join('\n');

/** Null when the host does not run systemd: "no systemd" is not "no failed unit". */
export function parseFailedUnits(text: string): Parsed<string[] | null> {
  if (text.trim() === 'ir-no-systemd') return { value: null, problems: [] };
  const units = text
    .split('\n')
    .map((l) => l.trim().replace(/^●\s*/, '').split(/\s+/)[0] ?? '')
    .filter((u) =>
      /^[A-Za-z0-9@._:\\-]+\.(service|socket|mount|timer|target|path|swap|device|scope|slice|automount)$/.test(u),
    );
  return { value: units, problems: [] };
}

/** Failed systemd units (null where there is no systemd). */
// In the batch's own shell (no variables): no subshell.
export const failedUnitsProbe = simpleProbe('failed-units', 'failedUnits', failedUnitsCommand, parseFailedUnits, null, {
  inline: true,
});
