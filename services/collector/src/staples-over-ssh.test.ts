import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { planRun, silentLogger } from '@infra-report/shared';
import { fleetConfig, fleetHost } from '@infra-report/testkit';
import { collectHost } from './collect-host.js';
import { createFileHostStateStore, readUpdatesState } from './host-state.js';
import { createRunnerFactory } from './open-runner.js';

/** Kernel trouble, updates and the clock, from a real host over SSH as the unprivileged test user. */
describe("Logwatch's staples over SSH", () => {
  const config = fleetConfig([{ index: 1, name: 'staples', updates: true }]);
  const host = fleetHost(config, 'staples');
  const packageState = createFileHostStateStore(
    mkdtempSync(path.join(tmpdir(), 'ir-packages-')),
    'packages',
    readUpdatesState,
  );
  const collect = () =>
    collectHost(host, planRun(config, {}, new Date()).spec, {
      openRunner: createRunnerFactory('/root'),
      influx: undefined,
      now: () => new Date(),
      logger: silentLogger(),
      packageState,
    });

  it('simulates the upgrade once, then reuses it while the package state is unchanged', async () => {
    const first = await collect();
    expect(first.updates?.manager).toBe('apt');
    expect(first.updates?.pending).toBeGreaterThanOrEqual(0);
    expect(first.updates?.stamp).toMatch(/^apt /);
    expect(first.problems.filter((p) => p.probe === 'updates')).toEqual([]);
    const second = await collect();
    expect(first.updates?.answer).toBe('simulated');
    expect(second.updates).toEqual({ ...first.updates, answer: 'unchanged', checkCpuMs: 0 });
    // The simulation's lines are not sent again.
    if ((first.updates?.pending ?? 0) > 0) expect(second.collectedBytes).toBeLessThan(first.collectedBytes);
  }, 60_000);

  it('reads the kernel log or says why not, and says how the clock is kept', async () => {
    const snapshot = await collect();
    if (snapshot.kernelEvents === null)
      expect(snapshot.problems.find((p) => p.probe === 'kernel')?.message).toMatch(/not readable as user irtest/);
    else expect(['journal', 'dmesg']).toContain(snapshot.kernelEvents?.source);
    if (snapshot.clockSync?.tool === null)
      expect(snapshot.problems.find((p) => p.probe === 'clock-sync')?.message).toMatch(/not checked/);
  }, 60_000);
});
