import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export interface TestServices {
  redisUrl: string;
  influxUrl: string;
  influxApi: 'v1' | 'v2';
  ssh: { dir: string; user: string; port: number; size: number; logs: string; clientKey: string; knownHosts: string };
  /** Why Docker Engine cannot run here (the kernel refused dockerd), or undefined: it runs. */
  dockerUnavailable: string | undefined;
}

/**
 * Addresses of the real services the tests use: from the environment, else from
 * $INFRA_REPORT_TEST_STATE/env written by scripts/test-services.sh. Missing services are an error with
 * the command that starts them, never a silently skipped test.
 */
export function testServices(): TestServices {
  const file = path.join(process.env['INFRA_REPORT_TEST_STATE'] ?? '/var/tmp/infra-report-test-services', 'env');
  const fromFile: Record<string, string> = {};
  if (existsSync(file)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const match = /^([A-Z_]+)=(.*)$/.exec(line);
      if (match?.[1]) fromFile[match[1]] = match[2] ?? '';
    }
  }
  const get = (name: string) => {
    const value = process.env[name] ?? fromFile[name];
    if (!value)
      throw new Error(
        `${name} is not set: start the test services with "bash scripts/test-services.sh" (or run "npm test")`,
      );
    return value;
  };
  const dir = get('SSH_FLEET_DIR');
  return {
    redisUrl: get('REDIS_URL'),
    influxUrl: get('INFLUX_URL'),
    influxApi: get('INFLUX_API') === 'v2' ? 'v2' : 'v1',
    ssh: {
      dir,
      user: get('SSH_FLEET_USER'),
      port: Number(get('SSH_FLEET_PORT')),
      size: Number(get('SSH_FLEET_SIZE')),
      logs: get('SSH_FLEET_LOGS'),
      clientKey: path.join(dir, 'client_key'),
      knownHosts: path.join(dir, 'known_hosts'),
    },
    dockerUnavailable: process.env['DOCKER_UNAVAILABLE'] ?? fromFile['DOCKER_UNAVAILABLE'],
  };
}

/** Address of test fleet host N (1-based): host1 = 127.0.0.11. */
export function fleetAddress(index: number): string {
  return `127.0.0.${10 + index}`;
}

/** A unique name per test, for Redis prefixes, databases and temp directories. */
export function uniqueName(label: string): string {
  return `${label}-${randomUUID().slice(0, 8)}`;
}

/** InfluxDB settings for a test's own database on the test InfluxDB (created by the caller). */
export function testInfluxSettings(label: string) {
  const services = testServices();
  return {
    url: services.influxUrl,
    api: services.influxApi,
    org: '',
    bucket: uniqueName(label).replace(/-/g, '_'),
    token: undefined,
    username: undefined,
    password: undefined,
    timeout_seconds: 10,
    buffer_max_batches: 0,
  };
}

/** A known_hosts file with the test fleet's keys and the given extra lines (hosts the test started). */
export function knownHostsWith(dir: string, extraLines: (string | null)[]): string {
  const file = path.join(dir, 'known_hosts');
  writeFileSync(
    file,
    readFileSync(testServices().ssh.knownHosts, 'utf8') + extraLines.filter(Boolean).join('\n') + '\n',
  );
  return file;
}
