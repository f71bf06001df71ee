import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { inZoneNamespace, type ZoneSetup } from '@infra-report/testkit';
import { helpers } from './command-batch.js';
import { hostZoneCommand, parseHostClock } from './host-zone.js';

/** The probe's real output on this machine, or in a namespace whose /etc says another zone. */
function probe(setup?: ZoneSetup, env: NodeJS.ProcessEnv = process.env) {
  const script = [...helpers, hostZoneCommand].join('\n');
  const argv = setup ? inZoneNamespace(setup, script) : ['sh', '-c', script];
  return parseHostClock(execFileSync(argv[0]!, argv.slice(1), { encoding: 'utf8', env }));
}

describe('the zone a host logs in', () => {
  it('is the /etc/localtime zone, checked against date +%z, whatever TZ the SSH session has', () => {
    const clock = probe({ localtime: { link: 'Etc/UTC' }, timezone: 'Etc/UTC' }, { ...process.env, TZ: 'Asia/Tokyo' });
    expect(clock.value.timeZone).toBe('Etc/UTC');
    expect(clock.value.utcOffset).toBe('+0000');
    expect(clock.problems).toEqual([]);
  });

  it('follows /etc/localtime when /etc/timezone says another zone, and reports the disagreement', () => {
    const clock = probe({ localtime: { link: 'America/New_York' }, timezone: 'Etc/UTC' });
    expect(clock.value.timeZone).toBe('America/New_York');
    expect(['-0500', '-0400']).toContain(clock.value.utcOffset);
    expect(clock.problems).toEqual([
      expect.stringMatching(/^\/etc\/timezone says Etc\/UTC but .*America\/New_York.* is America\/New_York/),
    ]);
  });

  it('reads a copied /etc/localtime as the zone /etc/timezone names when the files are the same', () => {
    const clock = probe({ localtime: { copy: 'America/New_York' }, timezone: 'America/New_York' });
    expect(clock.value.timeZone).toBe('America/New_York');
    expect(clock.problems).toEqual([]);
  });

  it("falls back to date's offset, and says so, when a copied /etc/localtime is not the named zone", () => {
    const clock = probe({ localtime: { copy: 'America/New_York' }, timezone: 'Europe/Paris' });
    expect(clock.value.timeZone).toBeNull();
    expect(['-0500', '-0400']).toContain(clock.value.utcOffset);
    expect(clock.problems).toEqual([expect.stringContaining('/etc/localtime is not the zone /etc/timezone names')]);
  });

  it('takes another name of the same zone as agreement, and no /etc/timezone as nothing to check', () => {
    expect(probe({ localtime: { link: 'UTC' }, timezone: 'Etc/UTC' }).problems).toEqual([]);
    expect(probe({ localtime: { link: 'Europe/Kyiv' }, timezone: 'Europe/Kiev' }).problems).toEqual([]);
    expect(probe({ localtime: { link: 'Europe/Paris' }, timezone: null }).value.timeZone).toBe('Europe/Paris');
  });

  it('turns odd output into a stated problem, never a zone taken from it', () => {
    const odd = parseHostClock('1795376103 +0000\nlocaltime-link ../etc/passwd; rm -rf\ntimezone \n');
    expect(odd.value.timeZone).toBeNull();
    expect(odd.problems).toEqual([expect.stringContaining('not a zone this reader knows')]);
    expect(parseHostClock('garbage').problems).toHaveLength(2);
    // date says -0500 while the link says Paris: date wins, and the report says why.
    const clash = parseHostClock('1795376103 -0500\nlocaltime-link /usr/share/zoneinfo/Europe/Paris\ntimezone\n');
    expect(clash.value).toEqual({ epochSeconds: 1795376103, utcOffset: '-0500', timeZone: null });
    expect(clash.problems).toEqual([expect.stringContaining('but date +%z says -0500')]);
  });
});
