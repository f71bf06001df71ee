import type { BackupStatus } from '@infra-report/shared';
import { shellQuote } from './command-batch.js';
import type { Parsed } from './parse-result.js';
import type { Probe } from './probe.js';

export interface BackupCheck {
  name: string;
  /** Shell-style glob, e.g. /srv/backup/db-*.sql.gz */
  path: string;
  max_age_hours: number;
}

/**
 * For each glob, the newest matching file: find's -path matches the glob below its fixed
 * leading directory, so nothing from the configuration is ever expanded by the shell.
 */
export function backupsCommand(checks: BackupCheck[]): string {
  return checks
    .map((check, index) => {
      const firstGlob = check.path.search(/[*?[]/);
      const fixed = firstGlob < 0 ? check.path : check.path.slice(0, firstGlob);
      const base = fixed.endsWith('/') ? fixed.slice(0, -1) || '/' : fixed.slice(0, fixed.lastIndexOf('/')) || '/';
      return [
        `echo "check ${index}"`,
        `if [ -d ${shellQuote(base)} ]; then find ${shellQuote(base)} -path ${shellQuote(check.path)} -type f -printf '%T@ %s %p\\n' 2>/dev/null | sort -n | tail -n 1; else echo "nodir"; fi`,
      ].join('\n');
    })
    .join('\n');
}

export function parseBackups(text: string, checks: BackupCheck[], hostNow: Date): Parsed<BackupStatus[]> {
  const results = checks.map((check): BackupStatus => ({
    name: check.name,
    path: check.path,
    newestFile: null,
    modified: null,
    ageHours: null,
    sizeBytes: null,
    stale: true,
    maxAgeHours: check.max_age_hours,
  }));
  let current: BackupStatus | undefined;
  for (const line of text.split('\n')) {
    const header = /^check (\d+)$/.exec(line);
    if (header) {
      current = results[Number(header[1])];
      continue;
    }
    const found = /^(\d+)(?:\.\d+)? (\d+) (.+)$/.exec(line);
    if (current && found?.[1] && found[2] && found[3]) {
      const modified = new Date(Number(found[1]) * 1000);
      current.newestFile = found[3];
      current.modified = modified.toISOString();
      current.sizeBytes = Number(found[2]);
      current.ageHours = Math.round(((hostNow.getTime() - modified.getTime()) / 3_600_000) * 10) / 10;
      current.stale = current.ageHours > current.maxAgeHours;
    }
  }
  return { value: results, problems: [] };
}

/** Freshness of the configured backups: newest file of each glob, its age and size. */
export const backupsProbe: Probe = {
  name: 'backups',
  commands: ({ host }) =>
    host.collect.backups.length > 0
      ? [{ name: 'backups', script: backupsCommand(host.collect.backups), large: true }]
      : [],
  parse: (sections, { host, hostNow }) => ({
    backups:
      host.collect.backups.length > 0
        ? sections.read('backups', (text) => parseBackups(text, host.collect.backups, hostNow), [])
        : [],
  }),
};
