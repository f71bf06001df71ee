import type { UpdatesInfo } from '@infra-report/shared';
import { shellQuote } from './command-batch.js';
import { excerpt, type Parsed } from './parse-result.js';
import type { Probe } from './probe.js';

/** A changed package state is checked at most once in this long (a daily run whose time drifts). */
export const updatesRecheckMs = 20 * 3_600_000;

/** Ubuntu's update-notifier keeps apt's answer here (the login banner's "N updates can be applied"). */
const updateNotifierFile = '/var/lib/update-notifier/updates-available';

/**
 * Pending updates, security updates and "reboot required", read-only and never from the network:
 * apt simulates an upgrade from the local package lists, dnf and yum read their cached metadata
 * (-C). The simulation costs seconds of CPU, so it stays off the host's critical path:
 * - it runs only when the package state changed: the lists' and the package database's mtimes and
 *   the boot id form a stamp, and an unchanged stamp answers "unchanged" (the collector keeps the
 *   last result);
 * - at most once a day (`recentlyChecked`: the remembered answer was computed less than
 *   `updatesRecheckMs` ago): a changed state then answers "deferred";
 * - where Ubuntu's update-notifier wrote its answer after the lists and the database last
 *   changed, that file is read instead;
 * - else under `nice -n 19` and `ionice -c 3` (idle I/O class), its CPU measured from the
 *   shell's own children times (/proc/self/stat, in clock ticks of 1/100 s).
 */
export function updatesCommand(
  previousStamp: string | null,
  {
    maxBytes,
    recentlyChecked = false,
    notifierFile = updateNotifierFile,
  }: { maxBytes: number; recentlyChecked?: boolean; notifierFile?: string },
): string {
  return [
    "ir_boot=''; [ -r /proc/sys/kernel/random/boot_id ] && read -r ir_boot < /proc/sys/kernel/random/boot_id",
    'if [ -e /var/run/reboot-required ]; then echo "ir-reboot yes"',
    '  if [ -r /var/run/reboot-required.pkgs ]; then while IFS= read -r ir_p; do echo "ir-reboot-pkg $ir_p"; done < /var/run/reboot-required.pkgs; fi',
    'elif [ -d /var/lib/dpkg ]; then echo "ir-reboot no"',
    'fi',
    // The manager and the two paths whose change times make its stamp: its lists and its database.
    "if command -v apt-get >/dev/null 2>&1; then ir_m=apt; ir_state='/var/lib/apt/lists /var/lib/dpkg/status'",
    "elif command -v dnf >/dev/null 2>&1; then ir_m=dnf; ir_state='/var/cache/dnf /var/lib/rpm'",
    "elif command -v yum >/dev/null 2>&1; then ir_m=yum; ir_state='/var/cache/yum /var/lib/rpm'",
    'else echo "ir-manager none"; exit 0; fi',
    'set -- $(stat -c %Y $ir_state 2>/dev/null); ir_s="$ir_m $* $ir_boot"',
    'echo "ir-manager $ir_m"; echo "ir-stamp $ir_s"',
    `if [ "$ir_s" = ${shellQuote(previousStamp ?? '')} ]; then echo "ir-unchanged"; exit 0; fi`,
    recentlyChecked ? 'echo "ir-deferred"; exit 0' : '',
    `ir_un=${shellQuote(notifierFile)}`,
    'if [ $ir_m = apt ] && [ -s $ir_un ] && [ -r $ir_un ] && ! [ $ir_un -ot /var/lib/apt/lists ] && ! [ $ir_un -ot /var/lib/dpkg/status ]; then',
    '  echo "ir-precomputed $(stat -c %Y $ir_un)"; while IFS= read -r ir_l; do echo "ir-un $ir_l"; done < $ir_un; exit 0',
    'fi',
    "ir_nice=''; command -v nice >/dev/null 2>&1 && ir_nice='nice -n 19'",
    'command -v ionice >/dev/null 2>&1 && ionice -c 3 true 2>/dev/null && ir_nice="$ir_nice ionice -c 3"',
    // Children's user and system time (fields 16 and 17) before and after.
    'read -r ir_st < /proc/self/stat 2>/dev/null; set -- ${ir_st#*) }; ir_c0=$(( ${14:-0} + ${15:-0} ))',
    // Only the simulation's output can be long (a line per pending package): it alone is capped
    // on the host, so an unchanged host's check costs no extra process.
    '{ case $ir_m in',
    '  apt) $ir_nice apt-get -s -o Debug::NoLocking=1 dist-upgrade 2>&1 | while IFS= read -r ir_l; do case "$ir_l" in "Inst "*|"E: "*) echo "$ir_l";; esac; done;;',
    // dnf/yum: -C never fetches; exit 100 means updates, 1 an error (no cache: say so).
    '  *) $ir_nice $ir_m -C -q check-update 2>&1; echo "ir-check-exit $?"',
    '     $ir_nice $ir_m -C -q updateinfo list --security 2>/dev/null | while IFS= read -r ir_l; do echo "ir-security $ir_l"; done',
    '     if ! [ -e /var/run/reboot-required ] && command -v needs-restarting >/dev/null 2>&1; then needs-restarting -r >/dev/null 2>&1; case $? in 0) echo "ir-reboot no";; 1) echo "ir-reboot yes";; esac; fi;;',
    `esac; } | head -c ${maxBytes + 1}`,
    // A blank line first: a cut simulation's last line has no newline of its own.
    'echo; read -r ir_st < /proc/self/stat 2>/dev/null; set -- ${ir_st#*) }; echo "ir-cost-ticks $(( ${14:-0} + ${15:-0} - ir_c0 ))"',
  ]
    .filter(Boolean)
    .join('\n');
}

export type UpdatesRead = { updates: UpdatesInfo; unchanged: boolean } | null;

/** Ubuntu's update-notifier wordings (current, and before 20.04) of the pending and security counts. */
const notifierPending = /^(\d+) (?:updates? can be applied immediately|packages? can be updated)\.?$/;
const notifierSecurity =
  /^(\d+) (?:of these updates (?:is a|are)|updates? (?:is a|are)) (?:standard )?security updates?\.?$/;

export function parseUpdates(
  text: string,
  previous: UpdatesInfo | null,
  collectedAt = new Date(),
): Parsed<UpdatesRead> {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  const value = (key: string) => lines.find((l) => l.startsWith(`${key} `))?.slice(key.length + 1) ?? null;
  const manager = value('ir-manager');
  const rebootLine = lines.find((l) => l === 'ir-reboot yes' || l === 'ir-reboot no');
  const rebootRequired = rebootLine ? rebootLine === 'ir-reboot yes' : null;
  const rebootPackages = lines
    .filter((l) => l.startsWith('ir-reboot-pkg '))
    .map((l) => l.slice('ir-reboot-pkg '.length));
  if (manager === null) return { value: null, problems: [`unexpected update check output: ${excerpt(text)}`] };
  const none = { pending: null, security: null, securityPackages: [], stamp: null, checkedAt: null, checkCpuMs: 0 };
  if (manager === 'none')
    return {
      value: { updates: { manager: null, ...none, rebootRequired, rebootPackages }, unchanged: false },
      problems: ['no apt, dnf or yum: pending updates not checked'],
    };
  const stamp = value('ir-stamp');
  const base = { manager: manager as UpdatesInfo['manager'], rebootRequired, rebootPackages, stamp };
  const kept = lines.includes('ir-unchanged') ? 'unchanged' : lines.includes('ir-deferred') ? 'deferred' : null;
  if (kept && previous)
    return {
      value: {
        updates: {
          ...previous,
          ...base,
          // Deferred: the remembered answer's own stamp, so that the next day's run checks again.
          stamp: kept === 'deferred' ? previous.stamp : stamp,
          rebootRequired: rebootRequired ?? previous.rebootRequired,
          answer: kept,
          checkedAt: previous.checkedAt ?? null,
          checkCpuMs: 0,
        },
        unchanged: true,
      },
      problems: [],
    };
  if (kept)
    return { value: null, problems: ['package state unchanged but no earlier result remembered: checked next run'] };
  const precomputed = value('ir-precomputed');
  if (precomputed !== null) return readNotifierAnswer(lines, base, precomputed);
  const ticks = Number(value('ir-cost-ticks'));
  const checked = {
    answer: 'simulated' as const,
    checkedAt: collectedAt.toISOString(),
    // /proc reports clock ticks of 1/100 s (USER_HZ) on every Linux.
    checkCpuMs: Number.isFinite(ticks) && ticks >= 0 ? ticks * 10 : null,
  };
  if (manager === 'apt') {
    const error = lines.find((l) => l.startsWith('E: '));
    if (error)
      return {
        value: { updates: { ...base, ...none, ...checked, stamp: null }, unchanged: false },
        problems: [`apt-get could not simulate the upgrade: ${excerpt(error)}`],
      };
    // "Inst pkg [old] (new Origin:release, Other-Security:release [arch])"
    const installs = lines.filter((l) => l.startsWith('Inst '));
    const security = installs.filter((l) => /\([^)]*-[Ss]ecurity[^)]*\)|\([^)]*Debian-Security:/.test(l));
    return {
      value: {
        updates: {
          ...base,
          ...checked,
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
      value: { updates: { ...base, ...none, ...checked, stamp: null }, unchanged: false },
      problems: [`${manager} -C check-update failed (no cached metadata? run "${manager} makecache" on the host)`],
    };
  const pending = lines.filter((l) => /^\S+\.\S+\s+\S+\s+\S+$/.test(l) && !l.startsWith('ir-')).length;
  const advisories = lines
    .filter((l) => l.startsWith('ir-security '))
    .map((l) => l.slice('ir-security '.length).trim().split(/\s+/));
  const packages = [...new Set(advisories.map((f) => f[2] ?? '').filter(Boolean))];
  return {
    value: {
      updates: { ...base, ...checked, pending, security: packages.length, securityPackages: packages.slice(0, 50) },
      unchanged: false,
    },
    problems: [],
  };
}

/** update-notifier's file, read instead of a simulation; unreadable: no answer, simulated next run. */
function readNotifierAnswer(
  lines: string[],
  base: Pick<UpdatesInfo, 'manager' | 'rebootRequired' | 'rebootPackages' | 'stamp'>,
  fileMtime: string,
): Parsed<UpdatesRead> {
  const file = lines.filter((l) => l.startsWith('ir-un ')).map((l) => l.slice('ir-un '.length).trim());
  const count = (pattern: RegExp) => file.map((l) => pattern.exec(l)?.[1]).find((n) => n !== undefined);
  const pending = count(notifierPending);
  // "No updates" is written as an empty file or as "0 updates can be applied immediately."
  if (pending === undefined && file.some((l) => l !== ''))
    return {
      value: {
        updates: { ...base, pending: null, security: null, securityPackages: [], stamp: null, checkCpuMs: 0 },
        unchanged: false,
      },
      problems: [`${updateNotifierFile} says what infra-report cannot read: ${excerpt(file.join(' / '))}`],
    };
  const checkedAt = new Date(Number(fileMtime) * 1000);
  return {
    value: {
      updates: {
        ...base,
        pending: Number(pending ?? 0),
        security: Number(count(notifierSecurity) ?? 0),
        securityPackages: [],
        answer: 'precomputed',
        checkedAt: Number.isNaN(checkedAt.getTime()) ? null : checkedAt.toISOString(),
        checkCpuMs: 0,
      },
      unchanged: false,
    },
    problems: [],
  };
}

/** Whether the remembered answer was computed less than a day before this run. */
function checkedRecently(previous: UpdatesInfo | null, runEnd: string): boolean {
  const checkedAt = previous?.checkedAt ? Date.parse(previous.checkedAt) : Number.NaN;
  const age = Date.parse(runEnd) - checkedAt;
  return previous?.stamp !== null && Number.isFinite(age) && age >= 0 && age < updatesRecheckMs;
}

/** Pending and security updates, only when the package state changed since the last run, at most once a day. */
export const updatesProbe: Probe = {
  name: 'updates',
  commands: ({ host, run, previousUpdates }) =>
    host.collect.updates
      ? [
          {
            name: 'updates',
            script: updatesCommand(previousUpdates?.stamp ?? null, {
              recentlyChecked: checkedRecently(previousUpdates, run.windowEnd),
              maxBytes: host.collect.maxOutputBytes,
            }),
          },
        ]
      : [],
  parse: (sections, { host, previousUpdates, collectedAt }) => ({
    updates: host.collect.updates
      ? (sections.read('updates', (text) => parseUpdates(text, previousUpdates, collectedAt), null)?.updates ?? null)
      : null,
  }),
};
