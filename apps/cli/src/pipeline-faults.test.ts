import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  fleetConfigYaml,
  runCli,
  startHostileHost,
  startPrivateRedis,
  startService,
  startTestSmtpServer,
  uniqueName,
  type PrivateRedis,
  type ServiceProcess,
  type TestSmtpServer,
} from '@infra-report/testkit';
import type { ParsedMail } from 'mailparser';

/**
 * The pipeline's own faults, for real: the services as separate processes killed with SIGKILL by
 * pid, a redis-server of the test's own (AOF, as the README requires) killed and restarted, real
 * sshd hosts and a real SMTP server. Each ends with every healthy host in the report and one
 * email (or one Message-ID twice, counted, when the mailer dies right after the server's 250).
 */
describe("a report run through the pipeline's own faults", () => {
  let cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
    cleanup = [];
  });

  /** Twelve hosts (the four fleet sshd hosts, three names each): collection takes several seconds. */
  const twelveHosts = [1, 2, 3, 4].flatMap((index) =>
    ['a', 'b', 'c'].map((s) => ({ index, name: `host${index}${s}` })),
  );

  async function setUp(options: {
    hosts?: Parameters<typeof fleetConfigYaml>[0];
    extra?: string;
    afterAccept?: (mail: ParsedMail) => void;
    deferFirst?: number;
    runDeadlineMinutes?: number;
    collectorConcurrency?: number;
    connectTimeoutSeconds?: number;
  }): Promise<{
    redis: PrivateRedis;
    smtp: TestSmtpServer;
    configFile: string;
    start: (name: string) => Promise<ServiceProcess>;
  }> {
    const redis = await startPrivateRedis({ aof: true });
    cleanup.push(() => redis.stop());
    const smtp = await startTestSmtpServer({ afterAccept: options.afterAccept, deferFirst: options.deferFirst });
    cleanup.push(() => smtp.close());
    const dir = mkdtempSync(path.join(tmpdir(), 'ir-faults-'));
    const configFile = path.join(dir, 'config.yaml');
    writeFileSync(
      configFile,
      fleetConfigYaml(
        options.hosts ?? twelveHosts,
        [
          `redis: { url: "${redis.url}", prefix: ${uniqueName('ir')} }`,
          `smtp: { host: 127.0.0.1, port: ${smtp.port}, from: reports@example.com, to: [ops@example.com] }`,
          `collector: { concurrency: ${options.collectorConcurrency ?? 2}, attempts: 3, backoff_seconds: 1 }`,
          'report: { timezone: UTC }',
          `pipeline: { deliver_backoff_seconds: 1, run_deadline_minutes: ${options.runDeadlineMinutes ?? 90} }`,
          options.extra ?? '',
        ].join('\n'),
      ),
    );
    const start = async (name: string) => {
      const service = await startService(name, configFile, { METRICS_PORT: '0' });
      cleanup.push(async () => {
        if (service.child.exitCode === null && service.child.signalCode === null) await service.stop();
      });
      return service;
    };
    return { redis, smtp, configFile, start };
  }

  const kill9 = async (service: ServiceProcess) => {
    service.child.kill('SIGKILL');
    if (service.child.exitCode === null && service.child.signalCode === null)
      await new Promise((resolve) => service.child.once('exit', resolve));
  };
  const until = async (what: string, condition: () => boolean, timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const collected = (services: ServiceProcess[]) =>
    services.reduce((n, s) => n + (s.output().match(/"msg":"collect job completed"/g)?.length ?? 0), 0);

  it('two collectors share a run; kill -9 of one, then of a replacement, mid-run costs no host', async () => {
    const { smtp, configFile, start } = await setUp({ collectorConcurrency: 2 });
    await Promise.all(['renderer', 'mailer'].map(start));
    const first = await start('collector');
    const second = await start('collector');
    const trigger = await runCli(['trigger', '-c', configFile]);
    expect(trigger.code).toBe(0);
    await until(
      'both collectors to take jobs',
      () => first.output().includes('collect job completed') && second.output().includes('collect job completed'),
    );
    await kill9(first); // with two jobs in its hands
    const replacement = await start('collector');
    await until('the replacement to take jobs', () => replacement.output().includes('collect job completed'));
    await kill9(replacement);
    const killedAt = Date.now();
    const [mail] = await smtp.waitForMessages(1, 90_000);
    expect(mail?.text).toContain('12 of 12 hosts reported');
    // Jobs held by the dead workers came back within seconds (lock 8 s + check 4 s), not a minute.
    expect(Date.now() - killedAt).toBeLessThan(40_000);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(smtp.messages).toHaveLength(1);
    expect(collected([first, second, replacement])).toBeGreaterThan(0);
  });

  it('a mailer killed right after the SMTP server said 250 sends at most the same message again, counted', async () => {
    const mailer: { current?: ServiceProcess } = {};
    const { smtp, configFile, start } = await setUp({
      hosts: [1, 2].map((index) => ({ index })),
      afterAccept: () => setTimeout(() => mailer.current?.child.kill('SIGKILL'), 10),
    });
    await Promise.all(['collector', 'renderer'].map(start));
    mailer.current = await start('mailer');
    await runCli(['trigger', '-c', configFile]);
    await smtp.waitForMessages(1, 60_000);
    await until('the mailer to die', () => mailer.current?.child.signalCode === 'SIGKILL');
    const restarted = await start('mailer');
    // The deliver job held by the dead mailer comes back (lock 10 s); it is sent again with the
    // same Message-ID only if the first attempt's outcome was not recorded.
    await new Promise((resolve) => setTimeout(resolve, 20_000));
    const ids = new Set(smtp.messages.map((m) => m.messageId));
    expect(ids.size).toBe(1);
    expect([...ids][0]).toMatch(/^<report\.\d{4}-\d{2}-\d{2}_all@example\.com>$/);
    expect(smtp.messages.length).toBeLessThanOrEqual(2);
    if (smtp.messages.length === 2) expect(restarted.output()).toMatch(/possible duplicate/);
  });

  it('redis-server killed with kill -9 mid-run and restarted 5 s later (AOF) loses no run and sends no second email', async () => {
    const { redis, smtp, configFile, start } = await setUp({});
    await Promise.all(['collector', 'renderer', 'mailer'].map(start));
    // An earlier run, delivered before the crash: it must not come back without its mark.
    await runCli(['trigger', '-c', configFile, '--date', '2026-11-01']);
    await smtp.waitForMessages(1, 60_000);
    await runCli(['trigger', '-c', configFile, '--date', '2026-11-02']);
    await new Promise((resolve) => setTimeout(resolve, 1500)); // collection under way
    await redis.kill9();
    await new Promise((resolve) => setTimeout(resolve, 5000));
    await redis.restart();
    const mails = await smtp.waitForMessages(2, 120_000);
    expect(mails[1]?.text).toContain('12 of 12 hosts reported');
    await new Promise((resolve) => setTimeout(resolve, 3000));
    // Title and date; the verdict after them depends on this machine (reboots, processes).
    expect(smtp.messages.map((m) => (m.subject ?? '').split(' - ').slice(0, 2).join(' - '))).toEqual([
      'Daily Infrastructure Report - 2026-11-01',
      'Daily Infrastructure Report - 2026-11-02',
    ]);
    // Triggered again after the crash: the same run, nothing enqueued, no email.
    const again = await runCli(['trigger', '-c', configFile, '--date', '2026-11-01']);
    expect(again.stderr).toMatch(/already exists \(completed\): nothing enqueued/);
  });

  it('redis-server stopped with SIGTERM mid-run and started again: the run completes, one email', async () => {
    const { redis, smtp, configFile, start } = await setUp({});
    await Promise.all(['collector', 'renderer', 'mailer'].map(start));
    await runCli(['trigger', '-c', configFile]);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await redis.stop();
    await redis.restart();
    const [mail] = await smtp.waitForMessages(1, 90_000);
    expect(mail?.text).toContain('12 of 12 hosts reported');
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(smtp.messages).toHaveLength(1);
  });

  it('an SMTP server that answers 451 twice gets the report on the third try, once', async () => {
    const { smtp, configFile, start } = await setUp({ hosts: [{ index: 1 }], deferFirst: 2 });
    await Promise.all(['collector', 'renderer', 'mailer'].map(start));
    await runCli(['trigger', '-c', configFile]);
    const [mail] = await smtp.waitForMessages(1, 60_000);
    expect(mail?.text).toContain('1 of 1 hosts reported');
    expect(smtp.deferredCount()).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(smtp.messages).toHaveLength(1);
  });

  it('renders at the run deadline with what it has, the late host marked with why', async () => {
    const slow = await startHostileHost('drip');
    cleanup.push(() => slow.close());
    const { smtp, configFile, start } = await setUp({
      hosts: [{ index: 1 }, { index: 0, name: 'stuck', address: slow.address, port: slow.port }],
      runDeadlineMinutes: 0.1,
      // The stuck host's connect timeout (60 s) is far past the run's deadline (6 s).
      connectTimeoutSeconds: 60,
    });
    await Promise.all(['collector', 'renderer', 'mailer'].map(start));
    const triggeredAt = Date.now();
    await runCli(['trigger', '-c', configFile]);
    const [mail] = await smtp.waitForMessages(1, 45_000);
    expect(Date.now() - triggeredAt).toBeLessThan(40_000);
    expect(mail?.text).toContain('1 of 2 hosts reported');
    expect(mail?.text).toMatch(/unreachable: not collected by the run deadline .* still (active|waiting|delayed)/);
    expect(mail?.text).toContain('stuck (not collected by the run deadline');
  });

  it("a schedule kept in Redis starts the day's run once, however many renderers keep it", async () => {
    const { smtp, start } = await setUp({
      hosts: [{ index: 1 }],
      extra: 'schedule: { cron: "*/2 * * * * *", timezone: UTC }',
    });
    await Promise.all(['collector', 'renderer', 'renderer', 'mailer'].map(start));
    await smtp.waitForMessages(1, 30_000);
    await new Promise((resolve) => setTimeout(resolve, 8000)); // four more firings
    expect(smtp.messages).toHaveLength(1);
  });
});
