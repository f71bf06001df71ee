import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { chartDir, lintChart, renderChart, validateObject, type KubeObject } from './chart.js';

const allOptions = path.join(chartDir, 'ci/all-options-values.yaml');
const services = ['api', 'collector', 'mailer', 'renderer'];

type Container = {
  name: string;
  livenessProbe?: { httpGet: { path: string; port: string } };
  readinessProbe?: { httpGet: { path: string; port: string } };
  resources?: { requests?: object; limits?: object };
  securityContext?: Record<string, unknown>;
  ports?: { name: string; containerPort: number }[];
};
type PodSpec = {
  containers: Container[];
  securityContext: Record<string, unknown>;
  terminationGracePeriodSeconds: number;
};
const podSpec = (o: KubeObject) => (o.spec as { template: { spec: PodSpec } }).template.spec;
const byKind = (objects: KubeObject[], kind: string) => objects.filter((o) => o.kind === kind);

describe('the Helm chart (helm/infra-report), rendered as `helm template` does', () => {
  it('passes `helm lint` with the default values and with every option on; a wrong value fails it', async () => {
    for (const files of [[], [allOptions]]) {
      const lint = await lintChart(files);
      expect(lint.output).toContain('1 chart(s) linted, 0 chart(s) failed');
      expect(lint.ok).toBe(true);
    }
    const wrong = path.join(mkdtempSync(path.join(tmpdir(), 'ir-chart-')), 'wrong.yaml');
    writeFileSync(wrong, 'collector: { replicas: two }\n');
    const failed = await lintChart([wrong]);
    expect(failed.ok).toBe(false);
    expect(failed.output).toContain('collector.replicas: Invalid type. Expected: integer, given: string');
  });

  it.each([
    ['the default values', []],
    ['every option on', [allOptions]],
  ])('with %s: every object passes its Kubernetes (or CRD) schema', async (_label, files) => {
    const { objects, error } = await renderChart(files);
    expect(error).toBeNull();
    expect(objects.length).toBeGreaterThan(10);
    const invalid: string[] = [];
    for (const object of objects) {
      const problem = await validateObject(object);
      if (problem) invalid.push(`${object.kind} ${object.metadata.name}: ${problem}`);
    }
    expect(invalid).toEqual([]);
  });

  it('has, per service, a Deployment with probes, resources, a restricted security context and time to finish a job', async () => {
    const { objects } = await renderChart([allOptions]);
    const deployments = byKind(objects, 'Deployment');
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(services.map((s) => `ir-${s}`));
    for (const deployment of deployments) {
      const spec = podSpec(deployment);
      const [container] = spec.containers;
      const port = deployment.metadata.name === 'ir-api' ? 'http' : 'metrics';
      expect(container?.livenessProbe?.httpGet).toEqual({ path: '/healthz', port });
      expect(container?.readinessProbe?.httpGet).toEqual({ path: '/readyz', port });
      expect(container?.resources?.requests).toBeDefined();
      expect(container?.resources?.limits).toBeDefined();
      expect(container?.securityContext).toMatchObject({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        capabilities: { drop: ['ALL'] },
      });
      expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    }
    const collector = deployments.find((d) => d.metadata.name === 'ir-collector')!;
    // Longer than the longest job: connect (10 s) and command (120 s) timeouts.
    expect(podSpec(collector).terminationGracePeriodSeconds).toBeGreaterThan(130);
    expect(podSpec(collector).containers[0]?.ports).toEqual([
      { name: 'metrics', containerPort: 9464, protocol: 'TCP' },
    ]);
    // Autoscaled Deployments leave the replica count to the autoscaler.
    for (const deployment of deployments) expect(deployment.spec?.['replicas']).toBeUndefined();
    expect(
      byKind(objects, 'HorizontalPodAutoscaler')
        .map((h) => h.metadata.name)
        .sort(),
    ).toEqual(['ir-api', 'ir-mailer', 'ir-renderer']);
    expect(byKind(objects, 'PodDisruptionBudget')).toHaveLength(4);
    // The pinned digest wins over the tag.
    expect(JSON.stringify(deployments)).toContain('ghcr.io/example/infra-report@sha256:0000');
  });

  it("scales the collectors with KEDA on the collect queue's wait list in Redis", async () => {
    const { objects } = await renderChart([allOptions]);
    const [scaled] = byKind(objects, 'ScaledObject');
    expect(scaled?.spec).toMatchObject({
      scaleTargetRef: { name: 'ir-collector' },
      triggers: [
        {
          type: 'redis',
          metadata: {
            address: 'redis.infra.svc:6380',
            listName: 'fleet:collect:wait',
            databaseIndex: '2',
            enableTLS: 'true',
          },
          authenticationRef: { name: 'redis-auth' },
        },
      ],
    });
    // With the default prefix: BullMQ's list for the collect queue.
    const keda = path.join(mkdtempSync(path.join(tmpdir(), 'ir-chart-')), 'keda.yaml');
    writeFileSync(keda, 'collector: { keda: { enabled: true } }\n');
    const { objects: defaults } = await renderChart([keda]);
    expect(JSON.stringify(byKind(defaults, 'ScaledObject'))).toContain('"listName":"infra-report:collect:wait"');
    // KEDA and the HPA both scaling the collectors is refused.
    const both = path.join(path.dirname(keda), 'both.yaml');
    writeFileSync(both, 'collector: { keda: { enabled: true }, autoscaling: { enabled: true } }\n');
    expect((await renderChart([both])).error).toContain('choose one');
  });

  it('ships the alert rules and dashboards of files/ unchanged, and names scrape jobs as the rules expect', async () => {
    const { objects } = await renderChart([allOptions]);
    const [rule] = byKind(objects, 'PrometheusRule');
    expect(rule?.spec).toEqual(parse(readFileSync(path.join(chartDir, 'files/rules.yaml'), 'utf8')));
    const dashboards = byKind(objects, 'ConfigMap').find((c) => c.metadata.name === 'ir-dashboards');
    expect(dashboards?.metadata.labels?.['grafana_dashboard']).toBe('1');
    for (const name of ['fleet.json', 'pipeline.json'])
      expect(JSON.parse(dashboards?.data?.[name] ?? '')).toEqual(
        JSON.parse(readFileSync(path.join(chartDir, 'files/dashboards', name), 'utf8')),
      );
    const [monitor] = byKind(objects, 'ServiceMonitor');
    expect(monitor?.spec?.['jobLabel']).toBe('infra-report.io/job');
    const jobs = byKind(objects, 'Service').map((s) => s.metadata.labels?.['infra-report.io/job']);
    expect(jobs.sort()).toEqual(services.map((s) => `infra-report-${s}`));
    // The unit tests of the rules stay out of the chart's files.
    expect(JSON.stringify(objects)).not.toContain('eval_time');
  });

  it('creates the Secrets it is given, refers to existing ones otherwise, and mounts them', async () => {
    const created = await renderChart([allOptions]);
    const secrets = byKind(created.objects, 'Secret');
    expect(secrets.map((s) => s.metadata.name).sort()).toEqual(['ir-api-token', 'ir-env', 'ir-ssh']);
    expect(
      Buffer.from(
        secrets.find((s) => s.metadata.name === 'ir-env')?.data?.['SMTP_PASSWORD'] ?? '',
        'base64',
      ).toString(),
    ).toBe('dummy');
    const defaults = await renderChart();
    expect(byKind(defaults.objects, 'Secret')).toEqual([]);
    const volumes = JSON.stringify(podSpec(byKind(defaults.objects, 'Deployment')[0]!));
    expect(volumes).toContain('"secretName":"infra-report-ssh"');
    expect(volumes).toContain('"secretName":"infra-report-api"');
    // Defaults: no Ingress, no monitoring objects, a NetworkPolicy, PDBs for the two services with two pods.
    expect(byKind(defaults.objects, 'Ingress')).toEqual([]);
    expect(byKind(defaults.objects, 'ServiceMonitor')).toEqual([]);
    expect(byKind(defaults.objects, 'NetworkPolicy')).toHaveLength(1);
    expect(
      byKind(defaults.objects, 'PodDisruptionBudget')
        .map((p) => p.metadata.name)
        .sort(),
    ).toEqual(['infra-report-api', 'infra-report-collector']);
    expect(defaults.notes).toContain('kubectl -n reports create job --from=cronjob/infra-report-trigger');
    expect(defaults.notes).toContain('config.hosts is empty');
  });

  it('runs the daily trigger as a CronJob with the schedule and time zone of the values', async () => {
    const { objects } = await renderChart([allOptions]);
    const [cron] = byKind(objects, 'CronJob');
    expect(cron?.spec).toMatchObject({
      schedule: '30 5 * * 1-5',
      timeZone: 'Europe/Paris',
      concurrencyPolicy: 'Forbid',
    });
  });

  it('validates values against values.schema.json: the defaults pass, a wrong value is refused with its key', async () => {
    const schema = JSON.parse(readFileSync(path.join(chartDir, 'values.schema.json'), 'utf8')) as object;
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    expect(validate(parse(readFileSync(path.join(chartDir, 'values.yaml'), 'utf8')))).toBe(true);
    // (The every-option values, merged over these as Helm merges them, pass: rendered above.)

    const wrong = path.join(mkdtempSync(path.join(tmpdir(), 'ir-chart-')), 'wrong.yaml');
    writeFileSync(
      wrong,
      [
        'collector: { replicas: two }',
        'trigger: { schedule: "every morning" }',
        'image: { digest: "latest" }',
        'config: { redis: { url: "localhost:6379" } }',
        'colector: { replicas: 3 }',
      ].join('\n'),
    );
    const { error } = await renderChart([wrong]);
    expect(error).toContain("values don't meet the specifications of the schema(s)");
    expect(error).toContain('collector.replicas: Invalid type. Expected: integer, given: string');
    expect(error).toContain('trigger.schedule: Does not match pattern');
    expect(error).toContain('image.digest: Does not match pattern');
    expect(error).toContain('config.redis.url: Does not match pattern');
    expect(error).toContain('Additional property colector is not allowed');
  });
});
