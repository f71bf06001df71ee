import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createInfluxStore,
  createRedisAlertStateStore,
  ensureInfluxV1Database,
  silentLogger,
  type AlertEvent,
  type Config,
} from '@infra-report/shared';
import {
  fleetConfig,
  startNamespacedSshd,
  testInfluxSettings,
  testServices,
  uniqueName,
  type ZonedSshd,
} from '@infra-report/testkit';
import { createRunnerFactory } from '../open-runner.js';
import { Sampler } from './sampler.js';
import { SessionPool } from './session-pool.js';

const services = testServices();

/**
 * Sampling against real sshd hosts: busy (its /proc/loadavg is a file the test writes, bind-
 * mounted in its sshd's mount namespace) and calm. Alert state in the real Redis.
 */
describe('live sampling over connections kept open', () => {
  let busy: ZonedSshd;
  let calm: ZonedSshd;
  const dir = mkdtempSync(path.join(tmpdir(), 'ir-sampling-'));
  const loadFile = path.join(dir, 'loadavg');
  const setLoad = (one: number) => writeFileSync(loadFile, `${one.toFixed(2)} 0.50 0.40 1/300 4242\n`);
  const redis = new Redis(services.redisUrl);
  const prefix = uniqueName('ir-sampling');
  const influxSettings = testInfluxSettings('sampling');
  let config: Config;

  beforeAll(async () => {
    setLoad(0.1);
    busy = await startNamespacedSshd('sample-busy', '127.0.0.31', 2231, {
      bindFiles: { '/proc/loadavg': loadFile },
      logLevel: 'INFO',
    });
    // The calm host's load is its own too: the machine's real load (a busy CI run) must not count.
    const calmLoadFile = path.join(dir, 'calm-loadavg');
    writeFileSync(calmLoadFile, '0.10 0.10 0.10 1/300 4242\n');
    calm = await startNamespacedSshd('sample-calm', '127.0.0.32', 2231, {
      bindFiles: { '/proc/loadavg': calmLoadFile },
      logLevel: 'INFO',
    });
    await ensureInfluxV1Database(influxSettings);
    config = fleetConfig(
      [
        { index: 0, name: 'busy', address: busy.address, port: busy.port, knownHostsFile: busy.knownHostsFile },
        { index: 0, name: 'calm', address: calm.address, port: calm.port, knownHostsFile: calm.knownHostsFile },
      ],
      [
        // Only the load is under test: the machine's own disks, memory and CPU stay out of it.
        'report: { thresholds: { load_per_cpu_warn: 1.5, load_per_cpu_critical: 100, disk_warn_percent: 100, disk_critical_percent: 100,',
        '  inode_warn_percent: 100, memory_warn_percent: 100, cpu_warn_percent: 100, temperature_warn_celsius: 200 } }',
        'sample: { interval_seconds: 1 }',
        // These rounds follow each other at once: the load alert without its hold time here (see below for it).
        'alerts: { refire_after_seconds: 0, rules: { load: { after_seconds: 0 } } }',
      ].join('\n'),
    );
  });
  afterAll(async () => {
    await busy?.stop();
    await calm?.stop();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  function sampler(
    published: AlertEvent[],
    influxUrl = influxSettings.url,
    options: { config?: Config; now?: () => Date; prefix?: string } = {},
  ) {
    const openRunner = createRunnerFactory(process.env['HOME'] ?? '/root');
    const pool = new SessionPool({
      open: async (host) => (await openRunner(host)).runner,
      maxConnections: 10,
      idleTimeoutMs: 60_000,
    });
    const influx = createInfluxStore({ ...influxSettings, url: influxUrl, timeout_seconds: 2 });
    return {
      pool,
      influx,
      sampler: new Sampler({
        config: options.config ?? config,
        pool,
        influx,
        alertState: createRedisAlertStateStore(redis, options.prefix ?? prefix),
        publish: async (events) => void published.push(...events),
        now: options.now ?? (() => new Date()),
        logger: silentLogger(),
        hosts: async () => config.hosts,
      }),
    };
  }

  it('samples 10 rounds over one connection per host, alerts once when the load rises and recovers once', async () => {
    const published: AlertEvent[] = [];
    const { sampler: a, pool, influx } = sampler(published);
    // A second worker on the same hosts and the same Redis state: crossings are claimed once.
    const second = sampler(published);
    const acceptedBefore = (log: string) => readFileSync(log, 'utf8').split('Accepted publickey').length - 1;
    const loads: number[] = [];
    for (let round = 1; round <= 10; round += 1) {
      // Rounds 4-6: the busy host's load is 8 (4 per CPU on a 2-CPU machine); then calm again.
      setLoad(round >= 4 && round <= 6 ? 8 : 0.1);
      const [busySample] = await Promise.all(config.hosts.map((h) => a.sampleOnce(h)));
      if (round === 4 || round === 7) await second.sampler.sampleOnce(config.hosts[0]!);
      loads.push(busySample?.load?.one ?? NaN);
    }
    expect(loads).toEqual([0.1, 0.1, 0.1, 8, 8, 8, 0.1, 0.1, 0.1, 0.1]);
    expect(published.map((e) => [e.kind, e.host, e.rule])).toEqual([
      ['alert', 'busy', 'load'],
      ['recovery', 'busy', 'load'],
    ]);
    expect(published[0]?.message).toMatch(/^load 8 \([\d.]+ per CPU, \d+ CPUs?\)$/);
    // One connection per host for the 10 rounds, counted by each sshd.
    expect(pool.opened).toBe(2);
    expect(acceptedBefore(busy.logFile)).toBe(2); // this sampler's and the second worker's
    expect(acceptedBefore(calm.logFile)).toBe(1);
    // Every round is a point in InfluxDB, under Telegraf's names.
    // (busy: 10 rounds of this sampler and 2 of the second worker.)
    const load = await influx.query(`SELECT count("load1") FROM "system" GROUP BY "host"`);
    expect(load.map((s) => [s.tags['host'], s.values[0]?.[1]])).toEqual([
      ['busy', 12],
      ['calm', 10],
    ]);
    const memory = await influx.query(`SELECT count("used_percent") FROM "mem" GROUP BY "host"`);
    expect(memory.map((s) => [s.tags['host'], s.values[0]?.[1]])).toEqual([
      ['busy', 12],
      ['calm', 10],
    ]);
    await Promise.all([pool.closeAll(), second.pool.closeAll(), influx.close(), second.influx.close()]);
  });

  it('holds the load alert: one busy round pages nothing, a busy spell past the hold pages once, escalates once, recovers once, and does not page again at once', async () => {
    const cpus = availableParallelism();
    const held = fleetConfig(
      [{ index: 0, name: 'busy', address: busy.address, port: busy.port, knownHostsFile: busy.knownHostsFile }],
      [
        'report: { thresholds: { load_per_cpu_warn: 2, load_per_cpu_critical: 6, disk_warn_percent: 100, disk_critical_percent: 100,',
        '  inode_warn_percent: 100, memory_warn_percent: 100, cpu_warn_percent: 100, temperature_warn_celsius: 200 } }',
        'sample: { interval_seconds: 30 }',
        // The defaults for load: held 300 s, no second page within 900 s of a recovery. The rest
        // off: this test's clock runs minutes ahead while the machine's CPU may be busy for real.
        'alerts: { rules: { cpu: { on: [] }, memory: { on: [] }, disk: { on: [] }, inodes: { on: [] }, temperature: { on: [] } } }',
      ].join('\n'),
    );
    let clock = Date.parse('2026-12-06T08:00:00Z');
    const published: AlertEvent[] = [];
    const {
      sampler: s,
      pool,
      influx,
    } = sampler(published, influxSettings.url, {
      config: held,
      now: () => new Date(clock),
      prefix: `${prefix}-held`,
    });
    const host = held.hosts[0]!;
    // Per CPU, round by round, 30 s apart.
    const perCpu = [
      [0.1, 3, 0.1], // one busy round
      [3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3], // busy for 300 s: pages once, at the end
      [8, 8, 8], // critical: pages once more
      [3], // still above the warning: nothing
      [0.1], // recovered
      [3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3], // busy again for 330 s, within 900 s of the recovery: nothing
    ];
    const seen: string[] = [];
    for (const [phase, loads] of perCpu.entries()) {
      for (const load of loads) {
        setLoad(load * cpus);
        await s.sampleOnce(host);
        clock += 30_000;
      }
      seen.push(`${phase}:${published.length}`);
    }
    expect(seen).toEqual(['0:0', '1:1', '2:2', '3:2', '4:3', '5:3']);
    expect(published.map((e) => [e.kind, e.severity, e.escalated === true])).toEqual([
      ['alert', 'warning', false],
      ['alert', 'critical', true],
      ['recovery', 'critical', false],
    ]);
    // It fired after 300 s of the condition: the 11th busy round, 300 s after the first.
    expect(Date.parse(published[0]!.firedAt) - Date.parse('2026-12-06T08:01:30Z')).toBe(300_000);
    await pool.closeAll();
    await influx.close();
  });

  it('marks a host unreachable after unreachable_rounds failed rounds, and recovers it', async () => {
    const published: AlertEvent[] = [];
    const { sampler: s, pool, influx } = sampler(published);
    const host = config.hosts.find((h) => h.name === 'calm')!;
    const down = { ...host, address: '127.0.0.33' }; // nothing listens there
    for (let round = 0; round < 4; round += 1) await s.sampleOnce(down);
    expect(published.map((e) => [e.kind, e.rule])).toEqual([['alert', 'unreachable']]);
    expect(published[0]?.message).toMatch(/^unreachable for 3 rounds: connection refused/);
    await s.sampleOnce(host);
    expect(published.map((e) => [e.kind, e.rule])).toEqual([
      ['alert', 'unreachable'],
      ['recovery', 'unreachable'],
    ]);
    await pool.closeAll();
    await influx.close();
  });

  it('does not count an InfluxDB that refuses writes against the host: no unreachable alert, the connection kept', async () => {
    const published: AlertEvent[] = [];
    // Nothing listens on port 1: every write is refused.
    const { sampler: s, pool, influx } = sampler(published, 'http://127.0.0.1:1');
    const host = config.hosts.find((h) => h.name === 'calm')!;
    const samples = [];
    for (let round = 0; round < 4; round += 1) samples.push(await s.sampleOnce(host));
    expect(samples.every((sample) => sample?.load !== null)).toBe(true);
    expect(published).toEqual([]);
    expect(pool.opened).toBe(1);
    await pool.closeAll();
    await influx.close();
  });
});
