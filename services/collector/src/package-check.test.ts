import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { planRun, silentLogger, type UpdatesInfo } from '@infra-report/shared';
import { fleetConfig, fleetHost } from '@infra-report/testkit';
import { createFileAuthLogStateStore } from './auth-log-state.js';
import { collectHost } from './collect-host.js';
import { createFileHostStateStore, readUpdatesState } from './host-state.js';
import { createRunnerFactory } from './open-runner.js';

/**
 * The package check over SSH on a real sshd host (this machine's apt): simulated once, then not
 * while the package state stays; a changed state checked less than a day ago waits for the next
 * day; a day later it is simulated again.
 */
describe('the package check, collection after collection', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ir-package-check-'));
  const packageState = createFileHostStateStore<UpdatesInfo>(dir, 'packages', readUpdatesState);
  const config = fleetConfig([{ index: 2, name: 'pkg2', updates: true }]);
  const host = fleetHost(config, 'pkg2');

  const collect = async (at: Date) =>
    (
      await collectHost(host, planRun(config, {}, at).spec, {
        openRunner: createRunnerFactory('/root'),
        influx: undefined,
        now: () => at,
        logger: silentLogger(),
        authLogState: createFileAuthLogStateStore(dir),
        packageState,
      })
    ).updates;

  it('runs once when the package state changes, not again, and not twice in a day', async () => {
    const day1 = new Date();
    const first = await collect(day1);
    expect(first).toMatchObject({ manager: 'apt', answer: 'simulated', checkedAt: day1.toISOString() });
    expect(first?.checkCpuMs).toBeGreaterThan(0);
    const stamp = first!.stamp!;

    // Nothing changed: the remembered answer, no simulation.
    const second = await collect(new Date(day1.getTime() + 3_600_000));
    expect(second).toMatchObject({ answer: 'unchanged', checkCpuMs: 0, stamp, pending: first?.pending });

    // The lists changed (the remembered answer is for another state), two hours after the check:
    // deferred, and the state keeps the old stamp so that tomorrow's run checks.
    await packageState.save('pkg2', { ...first!, stamp: 'apt 1 2 before-apt-update' });
    const third = await collect(new Date(day1.getTime() + 2 * 3_600_000));
    expect(third).toMatchObject({ answer: 'deferred', checkCpuMs: 0, checkedAt: day1.toISOString() });
    expect((await packageState.load('pkg2'))?.stamp).toBe('apt 1 2 before-apt-update');

    // The next day: simulated again, and remembered with the state it was made for.
    const day2 = new Date(day1.getTime() + 24 * 3_600_000);
    const fourth = await collect(day2);
    expect(fourth).toMatchObject({ answer: 'simulated', stamp, checkedAt: day2.toISOString() });
    expect((await packageState.load('pkg2'))?.stamp).toBe(stamp);
  }, 60_000);
});
