import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureInfluxV1Database } from '@infra-report/shared';
import {
  fleetConfigYaml,
  freePort,
  startTestSmtpServer,
  testInfluxSettings,
  testServices,
  uniqueName,
  type TestSmtpServer,
} from '@infra-report/testkit';
import {
  builtImage,
  chartPods,
  image,
  runPodToEnd,
  startPod,
  writeContainerFiles,
  type ChartPod,
  type RunningPod,
} from './chart-pod.js';

const services = testServices();
if (services.dockerUnavailable) console.warn(`container tests skipped: ${services.dockerUnavailable}`);

/**
 * The image scripts/build-image.sh builds, run as the chart runs it (read from `helm template`):
 * uid 1000, read-only root filesystem, /tmp as tmpfs, no capabilities, the configuration and the
 * SSH key mounted read-only, readiness answered on the service's port. The containers use the
 * host's network, because the test's Redis, InfluxDB, sshd hosts and SMTP server listen on
 * loopback; everything else is the pod's.
 */
describe.skipIf(services.dockerUnavailable !== undefined)('the image, run as the chart runs it', () => {
  let pods: Record<string, ChartPod>;
  const smtpServers: TestSmtpServer[] = [];
  const redis = new Redis(services.redisUrl);
  const prefixes: string[] = [];
  let started: RunningPod[] = [];

  /** Twelve hosts (the four fleet sshd hosts, three names each): collection takes several seconds. */
  const twelveHosts = [1, 2, 3, 4].flatMap((index) =>
    ['a', 'b', 'c'].map((s) => ({ index, name: `host${index}${s}` })),
  );

  beforeAll(async () => {
    const built = await builtImage();
    if (!built) throw new Error(`${image} is not built: run "bash scripts/build-image.sh" (npm test does)`);
    pods = await chartPods();
  });
  afterEach(async () => {
    await Promise.all(started.map((pod) => pod.remove()));
    started = [];
  });
  afterAll(async () => {
    await Promise.all(smtpServers.map((smtp) => smtp.close()));
    for (const prefix of prefixes) {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
    }
    await redis.quit();
  });

  /**
   * The ConfigMap and Secrets as files: a configuration naming the container's paths, and the
   * SSH key and known_hosts readable by group 1000 only (the chart's defaultMode 0440, fsGroup).
   */
  async function podFiles(hosts: Parameters<typeof fleetConfigYaml>[0]) {
    const prefix = uniqueName('ir-pods');
    prefixes.push(prefix);
    const smtp = await startTestSmtpServer();
    smtpServers.push(smtp);
    const influx = testInfluxSettings('pods');
    await ensureInfluxV1Database(influx);
    const ports = {
      collector: await freePort(),
      renderer: await freePort(),
      mailer: await freePort(),
      api: await freePort(),
    };
    const { config, ssh } = writeContainerFiles(
      hosts,
      [
        `redis: { url: "${services.redisUrl}", prefix: ${prefix} }`,
        `influx: { url: "${services.influxUrl}", api: ${services.influxApi}, bucket: ${influx.bucket} }`,
        `smtp: { host: 127.0.0.1, port: ${smtp.port}, from: "infra-report <reports@example.com>", to: [ops@example.com] }`,
        'artifacts: { backend: redis, retention_days: 1 }',
        'collector: { concurrency: 2, attempts: 3, backoff_seconds: 1 }',
        `api: { host: 127.0.0.1, port: ${ports.api}, tokens: ["${uniqueName('token')}"] }`,
        `metrics: { host: 127.0.0.1, collector_port: ${ports.collector}, renderer_port: ${ports.renderer}, mailer_port: ${ports.mailer} }`,
        'report: { timezone: UTC }',
      ],
      { mode: 0o440, group: 1000 },
    );
    return { files: { config, ssh }, ports, smtp };
  }

  async function start(component: string, files: { config: string; ssh: string }, port: number) {
    // On the host's network two collectors cannot share the configured port: METRICS_PORT moves it.
    const env: Record<string, string> = component === 'api' ? {} : { METRICS_PORT: String(port) };
    const pod = await startPod(pods[component]!, files, { port, env });
    started.push(pod);
    return pod;
  }
  const until = async (what: string, condition: () => boolean, timeoutMs = 60_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const jobIds = (output: string, message: string) =>
    [...output.matchAll(new RegExp(`"job":"([^"]+)","msg":"${message}"`, 'g'))].map((m) => m[1]!);

  it('runs each service read-only as uid 1000; a run triggered by the CLI container ends with one email', async () => {
    expect(pods['collector']).toMatchObject({ user: '1000:1000', readOnlyRoot: true, dropCapabilities: ['ALL'] });
    const { files, ports, smtp } = await podFiles([1, 2].map((index) => ({ index })));
    const running = await Promise.all(
      (['collector', 'renderer', 'mailer', 'api'] as const).map((component) =>
        start(component, files, ports[component]),
      ),
    );
    for (const pod of running) {
      // The liveness path too, from outside; and the root filesystem refuses a write.
      const alive = await fetch(
        `http://127.0.0.1:${ports[pod.pod.component as keyof typeof ports]}${pod.pod.livenessPath}`,
      );
      expect(alive.status, pod.pod.component).toBe(200);
      const write = await pod.container.exec(['sh', '-c', 'id -u; touch /app/x 2>&1; touch /tmp/x && echo tmp-ok']);
      expect(write.output).toMatch(/^1000\n.*Read-only file system\ntmp-ok\n$/s);
    }
    const trigger = await runPodToEnd(pods['trigger']!, files);
    expect(trigger.output).toMatch(/run \S+_all enqueued: 2 host\(s\)/);
    expect(trigger.exitCode).toBe(0);
    const [mail] = await smtp.waitForMessages(1, 90_000);
    expect(mail?.text).toContain('2 of 2 hosts reported');
    expect(mail?.attachments.map((a) => path.extname(a.filename ?? '')).sort()).toEqual(['.pdf', '.xlsx']);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(smtp.messages).toHaveLength(1);
  });

  it('a collector container killed (docker kill) mid-run loses no host', async () => {
    const { files, ports, smtp } = await podFiles(twelveHosts);
    await start('renderer', files, ports.renderer);
    await start('mailer', files, ports.mailer);
    const first = await start('collector', files, ports.collector);
    const second = await start('collector', files, await freePort());
    expect((await runPodToEnd(pods['trigger']!, files)).exitCode).toBe(0);
    const inHand = (pod: RunningPod) => {
      const completed = new Set(jobIds(pod.output(), 'collect job completed'));
      return jobIds(pod.output(), 'collect job started').filter((id) => !completed.has(id));
    };
    await until(
      'the first collector to hold jobs',
      () => jobIds(first.output(), 'collect job completed').length > 0 && inHand(first).length > 0,
    );
    await first.kill();
    expect(inHand(first).length).toBeGreaterThan(0); // it died with jobs in its hands
    const [mail] = await smtp.waitForMessages(1, 120_000);
    expect(mail?.text).toContain('12 of 12 hosts reported');
    expect(second.output()).toContain('collect job completed');
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(smtp.messages).toHaveLength(1);
  });

  it("docker stop drains the jobs in hand within the chart's grace period, and nothing is lost", async () => {
    const { files, ports, smtp } = await podFiles(twelveHosts);
    await start('renderer', files, ports.renderer);
    await start('mailer', files, ports.mailer);
    const collector = await start('collector', files, ports.collector);
    expect((await runPodToEnd(pods['trigger']!, files)).exitCode).toBe(0);
    await until('the collector to hold jobs', () => jobIds(collector.output(), 'collect job started').length >= 2);
    const stopped = await collector.stop();
    // SIGTERM, then the jobs it held finish and it exits on its own: 0, not docker's SIGKILL (137).
    expect(stopped.exitCode).toBe(0);
    expect(stopped.seconds).toBeLessThan(pods['collector']!.graceSeconds);
    const startedJobs = jobIds(collector.output(), 'collect job started');
    expect(jobIds(collector.output(), 'collect job completed').sort()).toEqual([...new Set(startedJobs)].sort());
    expect(jobIds(collector.output(), 'collect job completed').length).toBeLessThan(12);
    // A new collector takes the rest.
    await start('collector', files, ports.collector);
    const [mail] = await smtp.waitForMessages(1, 120_000);
    expect(mail?.text).toContain('12 of 12 hosts reported');
  });
});
