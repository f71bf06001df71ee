import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** How /etc looks inside the namespace: /etc/localtime as a link to or a copy of a zone, /etc/timezone's text. */
export interface ZoneSetup {
  localtime: { link: string } | { copy: string };
  /** null: no /etc/timezone. */
  timezone: string | null;
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * argv that runs `script` in a private mount namespace whose /etc is an overlay of the machine's
 * with its own /etc/localtime and /etc/timezone: a host in another zone, for real processes
 * (sh, date, sshd) and real files, leaving the machine's /etc untouched.
 */
export function inZoneNamespace(setup: ZoneSetup, script: string): string[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'ir-zone-'));
  const zoneFile = (zone: string) => `/usr/share/zoneinfo/${zone}`;
  const localtime =
    'link' in setup.localtime
      ? `ln -sfn ${shellQuote(zoneFile(setup.localtime.link))} /etc/localtime`
      : `rm -f /etc/localtime && cp ${shellQuote(zoneFile(setup.localtime.copy))} /etc/localtime`;
  const timezone =
    setup.timezone === null ? 'rm -f /etc/timezone' : `printf '%s\\n' ${shellQuote(setup.timezone)} > /etc/timezone`;
  const prepare = [
    `mkdir -p ${dir}/upper ${dir}/work`,
    `mount -t overlay overlay -o lowerdir=/etc,upperdir=${dir}/upper,workdir=${dir}/work /etc`,
    localtime,
    timezone,
  ].join(' && ');
  return ['unshare', '-m', '--propagation', 'private', 'sh', '-c', `${prepare} && ${script}`];
}
