import type { UpdatesInfo } from '@infra-report/shared';
import { shellQuote } from './command-batch.js';
import { excerpt, type Parsed } from './parse-result.js';
import type { Probe } from './probe.js';

/**
 * Pending updates, security updates and "reboot required", read-only and never from the network:
 * apt simulates an upgrade from the local package lists, dnf and yum read their cached metadata
 * (-C). The simulation costs about two seconds of CPU, so it runs only when the package state
 * changed since the last run: the lists' and the package database's mtimes and the boot id form
 * a stamp, and an unchanged stamp answers "unchanged" (the collector keeps the last result).
 */
export function updatesCommand(previousStamp: string | null): string {
  return [
    "ir_boot=''; [ -r /proc/sys/kernel/random/boot_id ] && read -r ir_boot < /proc/sys/kernel/random/boot_id",
    'if [ -e /var/run/reboot-required ]; then echo "ir-reboot yes"',
    '  if [ -r /var/run/reboot-required.pkgs ]; then while IFS= read -r ir_p; do echo "ir-reboot-pkg $ir_p"; done < /var/run/reboot-required.pkgs; fi',
    'elif [ -d /var/lib/dpkg ]; then echo "ir-reboot no"',
    'fi',
    'if command -v apt-get >/dev/null 2>&1; then ir_m=apt; ir_s="apt $(printf "%s " $(stat -c %Y /var/lib/apt/lists /var/lib/dpkg/status 2>/dev/null))$ir_boot"',
    'elif command -v dnf >/dev/null 2>&1; then ir_m=dnf; ir_s="dnf $(printf "%s " $(stat -c %Y /var/cache/dnf /var/lib/rpm 2>/dev/null))$ir_boot"',
    'elif command -v yum >/dev/null 2>&1; then ir_m=yum; ir_s="yum $(printf "%s " $(stat -c %Y /var/cache/yum /var/lib/rpm 2>/dev/null))$ir_boot"',
    'else echo "ir-manager none"; exit 0; fi',
    'echo "ir-manager $ir_m"; echo "ir-stamp $ir_s"',
    `if [ "$ir_s" = ${shellQuote(previousStamp ?? '')} ]; then echo "ir-unchanged"; exit 0; fi`,
    'case $ir_m in',
    '  apt) apt-get -s -o Debug::NoLocking=1 dist-upgrade 2>&1 | while IFS= read -r ir_l; do case "$ir_l" in "Inst "*|"E: "*) echo "$ir_l";; esac; done;;',
    // dnf/yum: -C never fetches; exit 100 means updates, 1 an error (no cache: say so).
    '  *) $ir_m -C -q check-update 2>&1; echo "ir-check-exit $?"',
    '     $ir_m -C -q updateinfo list --security 2>/dev/null | while IFS= read -r ir_l; do echo "ir-security $ir_l"; done',
    '     if ! [ -e /var/run/reboot-required ] && command -v needs-restarting >/dev/null 2>&1; then needs-restarting -r >/dev/null 2>&1; case $? in 0) echo "ir-reboot no";; 1) echo "ir-reboot yes";; esac; fi;;',
    'esac',
  ].join('\n');
}

export type UpdatesRead = { updates: UpdatesInfo; unchanged: boolean } | null;

export function parseUpdates(text: string, previous: UpdatesInfo | null): Parsed<UpdatesRead> {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  const value = (key: string) => lines.find((l) => l.startsWith(`${key} `))?.slice(key.length + 1) ?? null;
  const manager = value('ir-manager');
  const rebootLine = lines.find((l) => l === 'ir-reboot yes' || l === 'ir-reboot no');
  const rebootRequired = rebootLine ? rebootLine === 'ir-reboot yes' : null;
  const rebootPackages = lines
    .filter((l) => l.startsWith('ir-reboot-pkg '))
    .map((l) => l.slice('ir-reboot-pkg '.length));
  if (manager === null) return { value: null, problems: [`unexpected update check output: ${excerpt(text)}`] };
  if (manager === 'none')
    return {
      value: {
        updates: {
          manager: null,
          pending: null,
          security: null,
          securityPackages: [],
          rebootRequired,
          rebootPackages,
          stamp: null,
        },
        unchanged: false,
      },
      problems: ['no apt, dnf or yum: pending updates not checked'],
    };
  const stamp = value('ir-stamp');
  const base = { manager: manager as UpdatesInfo['manager'], rebootRequired, rebootPackages, stamp };
  if (lines.includes('ir-unchanged') && previous)
    return {
      value: {
        updates: { ...previous, ...base, rebootRequired: rebootRequired ?? previous.rebootRequired },
        unchanged: true,
      },
      problems: [],
    };
  if (lines.includes('ir-unchanged'))
    return { value: null, problems: ['package state unchanged but no earlier result remembered: checked next run'] };
  if (manager === 'apt') {
    const error = lines.find((l) => l.startsWith('E: '));
    if (error)
      return {
        value: {
          updates: { ...base, pending: null, security: null, securityPackages: [], stamp: null },
          unchanged: false,
        },
        problems: [`apt-get could not simulate the upgrade: ${excerpt(error)}`],
      };
    // "Inst pkg [old] (new Origin:release, Other-Security:release [arch])"
    const installs = lines.filter((l) => l.startsWith('Inst '));
    const security = installs.filter((l) => /\([^)]*-[Ss]ecurity[^)]*\)|\([^)]*Debian-Security:/.test(l));
    return {
      value: {
        updates: {
          ...base,
          pending: installs.length,
          security: security.length,
          securityPackages: security.slice(0, 50).map((l) => l.split(' ')[1] ?? ''),
        },
        unchanged: false,
      },
      problems: [],
    };
  }
  const exit = Number(value('ir-check-exit'));
  if (exit !== 0 && exit !== 100)
    return {
      value: {
        updates: { ...base, pending: null, security: null, securityPackages: [], stamp: null },
        unchanged: false,
      },
      problems: [`${manager} -C check-update failed (no cached metadata? run "${manager} makecache" on the host)`],
    };
  const pending = lines.filter((l) => /^\S+\.\S+\s+\S+\s+\S+$/.test(l) && !l.startsWith('ir-')).length;
  const advisories = lines
    .filter((l) => l.startsWith('ir-security '))
    .map((l) => l.slice('ir-security '.length).trim().split(/\s+/));
  const packages = [...new Set(advisories.map((f) => f[2] ?? '').filter(Boolean))];
  return {
    value: {
      updates: { ...base, pending, security: packages.length, securityPackages: packages.slice(0, 50) },
      unchanged: false,
    },
    problems: [],
  };
}

/** Pending and security updates, only when the package state changed since the last run. */
export const updatesProbe: Probe = {
  name: 'updates',
  commands: ({ host, previousUpdates }) =>
    host.collect.updates
      ? [{ name: 'updates', script: updatesCommand(previousUpdates?.stamp ?? null), large: true }]
      : [],
  parse: (sections, { host, previousUpdates }) => ({
    updates: host.collect.updates
      ? (sections.read('updates', (text) => parseUpdates(text, previousUpdates), null)?.updates ?? null)
      : null,
  }),
};
