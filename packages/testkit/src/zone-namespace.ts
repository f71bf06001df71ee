import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** How /etc looks inside the namespace: /etc/localtime as a link to or a copy of a zone, /etc/timezone's text. */
export interface ZoneSetup {
  localtime: { link: string } | { copy: string };
  /** null: no /etc/timezone. */
  timezone: string | null;
}

/** What a host's private view of the machine changes: its zone, and files laid over others. */
export interface NamespaceSetup {
  zone?: ZoneSetup | undefined;
  /** Files shown in place of others, e.g. { '/proc/loadavg': '/tmp/host-a/loadavg' }: a host's own load. */
  bindFiles?: Record<string, string> | undefined;
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * argv that runs `script` in a private mount namespace whose /etc is an overlay of the machine's
 * with its own /etc/localtime and /etc/timezone: a host in another zone, for real processes
 * (sh, date, sshd) and real files, leaving the machine's /etc untouched.
 */
export function inZoneNamespace(setup: ZoneSetup, script: string): string[] {
  return inMountNamespace({ zone: setup }, script);
}

/**
 * argv that runs `script` in a private mount namespace: the zone of `setup.zone` (an overlay of
 * /etc), and each of `setup.bindFiles` bind-mounted over its target (as Docker masks /proc
 * files), so real processes read a host's own values; the machine itself is untouched.
 */
export function inMountNamespace(setup: NamespaceSetup, script: string): string[] {
  const steps: string[] = [];
  if (setup.zone) {
    const dir = mkdtempSync(path.join(tmpdir(), 'ir-zone-'));
    const zoneFile = (zone: string) => `/usr/share/zoneinfo/${zone}`;
    const { localtime, timezone } = setup.zone;
    steps.push(
      `mkdir -p ${dir}/upper ${dir}/work`,
      `mount -t overlay overlay -o lowerdir=/etc,upperdir=${dir}/upper,workdir=${dir}/work /etc`,
      'link' in localtime
        ? `ln -sfn ${shellQuote(zoneFile(localtime.link))} /etc/localtime`
        : `rm -f /etc/localtime && cp ${shellQuote(zoneFile(localtime.copy))} /etc/localtime`,
      timezone === null ? 'rm -f /etc/timezone' : `printf '%s\\n' ${shellQuote(timezone)} > /etc/timezone`,
    );
  }
  for (const [target, source] of Object.entries(setup.bindFiles ?? {}))
    steps.push(`mount --bind ${shellQuote(source)} ${shellQuote(target)}`);
  return ['unshare', '-m', '--propagation', 'private', 'sh', '-c', [...steps, script].join(' && ')];
}
