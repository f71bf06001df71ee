import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig, planRun } from '@infra-report/shared';
import { collectionScript } from '@infra-report/collector';
import {
  farmConfigYaml,
  recordFarmProfile,
  runCli,
  startHostFarm,
  startPrivateRedis,
  startService,
  startTestSmtpServer,
  syslogTime,
  type HostFarm,
  type PrivateRedis,
  type ServiceProcess,
  type TestSmtpServer,
} from '@infra-report/testkit';

/**
 * A thousand simulated hosts through the services: the host farm (ssh2 servers on 1,000
 * loopback addresses, answering the real batch with what this machine answered, recorded first)
 * collected by two collector processes, rendered and mailed as one report.
 */
describe('1,000 simulated hosts through the services', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ir-farm-test-'));
  const cleanup: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
  });

  /** This machine's batch, with an auth log of a few failed logins, as the farm's one real host. */
  function recordedHost() {
    const log = path.join(dir, 'auth.log');
    const now = Date.now();
    writeFileSync(
      log,
      [1, 2, 3]
        .map(
          (i) =>
            `${syslogTime(new Date(now - i * 60_000))} web1 sshd[${100 + i}]: Failed password for root from 203.0.113.${i} port 4000${i} ssh2`,
        )
        .join('\n') + '\n',
    );
    const config = parseConfig(
      `hosts: [{ name: rec, local: true, collect: { auth_log: "${log}", updates: false } }]\n`,
      'r.yaml',
      {
        env: { HOME: '/root' },
      },
    );
    const { spec, hosts } = planRun(config, {}, new Date());
    return recordFarmProfile('web', collectionScript(hosts[0]!, spec));
  }

  it('collects every host once and sends one report naming all of them', async () => {
    const farm: HostFarm = await startHostFarm({
      hosts: 1000,
      profiles: [recordedHost()],
      processes: 2,
      port: 2298,
      subnet: 31,
    });
    cleanup.push(() => farm.stop());
    const redis: PrivateRedis = await startPrivateRedis({ aof: true });
    cleanup.push(() => redis.stop());
    const smtp: TestSmtpServer = await startTestSmtpServer();
    cleanup.push(() => smtp.close());
    const configFile = path.join(dir, 'config.yaml');
    writeFileSync(
      configFile,
      farmConfigYaml(farm, [
        `redis: { url: "${redis.url}", prefix: farm }`,
        `smtp: { host: 127.0.0.1, port: ${smtp.port}, from: reports@example.com, to: [ops@example.com] }`,
        'collector: { concurrency: 25, attempts: 3, backoff_seconds: 2 }',
      ]),
    );
    const services: ServiceProcess[] = [];
    for (const name of ['collector', 'collector', 'renderer', 'mailer'])
      services.push(await startService(name, configFile, { METRICS_PORT: '0' }));
    cleanup.push(() => Promise.all(services.map((s) => s.stop(60_000))));

    const trigger = await runCli(['trigger', '-c', configFile]);
    expect(trigger.stderr).toMatch(/enqueued: 1,?000 host\(s\)/);
    const [mail] = await smtp.waitForMessages(1, 240_000);
    expect(mail?.text).toMatch(/1,?000 of 1,?000 hosts reported/);
    expect(mail?.attachments.map((a) => path.extname(a.filename ?? '')).sort()).toEqual(['.pdf', '.xlsx']);
    expect(await farm.served()).toBe(1000);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(smtp.messages).toHaveLength(1);
  }, 300_000);
});
