import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { ensureInfluxV1Database } from '@infra-report/shared';
import {
  repoRoot,
  startTestSmtpServer,
  testInfluxSettings,
  testServices,
  uniqueName,
  type TestSmtpServer,
} from '@infra-report/testkit';
import { builtImage, image, writeContainerFiles } from './chart-pod.js';

const run = promisify(execFile);
const services = testServices();
const composeFile = path.join(repoRoot, 'docker-compose.yml');

/**
 * docker-compose.yml read by the Compose tooling here (Debian's docker-compose 1.29), and the
 * project's own services started from it. The third-party images (redis:7-alpine, influxdb:2.7,
 * grafana, prometheus, mailpit) and target1's base (debian:bookworm-slim) cannot be pulled here,
 * so an override file puts the test's Redis, InfluxDB 1.x, SMTP server and sshd hosts in their
 * place and the services on the host's network (those listen on loopback). That leaves
 * unverified: the third-party images and their healthchecks, InfluxDB 2's setup and token,
 * Grafana's and Prometheus' provisioning in containers, target1's image, the bridge network's
 * service names, and depends_on waiting for those services (--no-deps).
 */
describe.skipIf(services.dockerUnavailable !== undefined)('docker-compose.yml with the Compose tooling', () => {
  const project = uniqueName('ircompose').replace(/-/g, '');
  const prefix = uniqueName('ir-compose');
  const redis = new Redis(services.redisUrl);
  let smtp: TestSmtpServer;
  let resolved: string;
  const compose = (...args: string[]) =>
    run('docker-compose', ['-p', project, '-f', resolved, ...args], {
      cwd: repoRoot,
      timeout: 240_000,
    });

  beforeAll(async () => {
    if (!(await builtImage())) throw new Error(`${image} is not built: run "bash scripts/build-image.sh"`);
    smtp = await startTestSmtpServer();
    const influx = testInfluxSettings('compose');
    await ensureInfluxV1Database(influx);
    // deploy/compose/config.yaml with the test's services in place of the stack's.
    const stack = readFileSync(path.join(repoRoot, 'deploy/compose/config.yaml'), 'utf8');
    const api = /^api: .*$/m.exec(stack)?.[0];
    expect(api).toContain('{ env: INFRA_REPORT_API_TOKEN }');
    // The keys as make-keys.sh leaves them: readable by the image's uid 1000.
    const { dir } = writeContainerFiles(
      [1, 2].map((index) => ({ index })),
      [
        `redis: { url: "${services.redisUrl}", prefix: ${prefix} }`,
        `influx: { url: "${services.influxUrl}", api: ${services.influxApi}, bucket: ${influx.bucket} }`,
        `smtp: { host: 127.0.0.1, port: ${smtp.port}, from: "infra-report <reports@example.com>", to: [ops@example.com] }`,
        'artifacts: { backend: redis, retention_days: 1 }',
        api ?? '',
        'report: { timezone: UTC }',
      ],
      { mode: 0o644 },
    );
    const mounts = [
      `${dir}/config.yaml:/etc/infra-report/config.yaml:ro`,
      `${dir}/ssh/id_ed25519:/etc/infra-report/ssh/id_ed25519:ro`,
      `${dir}/ssh/known_hosts:/etc/infra-report/ssh/known_hosts:ro`,
    ];
    const override = path.join(dir, 'docker-compose.override.yml');
    writeFileSync(
      override,
      stringify({
        services: Object.fromEntries(
          ['collector', 'renderer', 'mailer', 'api', 'trigger'].map((name) => [
            name,
            { network_mode: 'host', volumes: mounts },
          ]),
        ),
      }),
    );
    // Compose merges the two files; the API's published port is then dropped, as Docker refuses
    // port bindings on the host's network (Compose 1.x cannot remove a list entry in an override).
    const { stdout } = await run('docker-compose', ['-f', composeFile, '-f', override, 'config'], { cwd: repoRoot });
    // YAML 1.1 both ways, as Compose reads it ("yes" and "no" stay strings).
    const merged = parse(stdout, { version: '1.1' }) as { services: Record<string, { ports?: unknown }> };
    delete merged.services['api']!.ports;
    resolved = path.join(dir, 'docker-compose.resolved.yml');
    writeFileSync(resolved, stringify(merged, { version: '1.1' }));
  }, 60_000);

  afterAll(async () => {
    if (resolved) await compose('down', '--timeout', '30').catch(() => undefined);
    await smtp?.close();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  }, 120_000);

  it('parses it, and refuses a wrong condition', async () => {
    const { stdout } = await run('docker-compose', ['-f', composeFile, 'config', '--services'], { cwd: repoRoot });
    expect(stdout.trim().split('\n').sort()).toEqual(
      [
        'api',
        'collector',
        'grafana',
        'influxdb',
        'mailer',
        'mailpit',
        'prometheus',
        'redis',
        'renderer',
        'target1',
        'trigger',
      ].sort(),
    );
    const broken = path.join(repoRoot, `.compose-broken-${project}.yml`);
    writeFileSync(
      broken,
      readFileSync(composeFile, 'utf8').replace('condition: service_healthy', 'condition: when_ready'),
    );
    try {
      await expect(run('docker-compose', ['-f', broken, 'config', '-q'], { cwd: repoRoot })).rejects.toMatchObject({
        stderr: expect.stringContaining('when_ready') as unknown,
      });
    } finally {
      await run('rm', ['-f', broken]);
    }
  });

  it("starts the project's services from it, healthy by its own healthchecks; `run trigger` ends with one email", async () => {
    await compose('up', '-d', '--no-deps', '--no-build', 'collector', 'renderer', 'mailer', 'api');
    const { stdout: ids } = await compose('ps', '-q', 'collector', 'renderer', 'mailer', 'api');
    const containers = ids.trim().split('\n');
    expect(containers).toHaveLength(4);
    // Compose's healthchecks (interval 10 s): every service healthy within a minute.
    const deadline = Date.now() + 90_000;
    let health: string[] = [];
    while (Date.now() < deadline) {
      const { stdout } = await run('docker', ['inspect', '-f', '{{.Name}} {{.State.Health.Status}}', ...containers]);
      health = stdout.trim().split('\n');
      if (health.every((line) => line.endsWith(' healthy'))) break;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    expect(health.filter((line) => !line.endsWith(' healthy'))).toEqual([]);
    const trigger = await compose('run', '--rm', '--no-deps', 'trigger');
    expect(trigger.stderr).toMatch(/run \S+_all enqueued: 2 host\(s\)/);
    const [mail] = await smtp.waitForMessages(1, 90_000);
    expect(mail?.text).toContain('2 of 2 hosts reported');
    // The API's token came from the compose file's environment.
    const unauthorized = await fetch('http://127.0.0.1:8080/v1/runs');
    expect(unauthorized.status).toBe(401);
    const authorized = await fetch('http://127.0.0.1:8080/v1/runs', {
      headers: { authorization: 'Bearer compose-api-token' },
    });
    expect(authorized.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(smtp.messages).toHaveLength(1);
  });
});
