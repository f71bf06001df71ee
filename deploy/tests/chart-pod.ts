import { execFile } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';
import { fleetConfigYaml, testServices } from '@infra-report/testkit';
import { renderChart } from './chart.js';

const run = promisify(execFile);

// Testcontainers' reaper is an image of its own (testcontainers/ryuk), which cannot be pulled
// without a registry; every container a test starts is removed by the test itself instead.
process.env['TESTCONTAINERS_RYUK_DISABLED'] ??= 'true';

/** The image scripts/build-image.sh builds (npm test runs it first). */
export const image = 'infra-report:local';

interface PodSpec {
  terminationGracePeriodSeconds?: number;
  securityContext?: { runAsUser?: number; runAsGroup?: number };
  containers: {
    command: string[];
    env?: { name: string; value?: string }[];
    securityContext?: {
      readOnlyRootFilesystem?: boolean;
      allowPrivilegeEscalation?: boolean;
      capabilities?: { drop?: string[] };
    };
    volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
    readinessProbe?: { httpGet?: { path: string } };
    livenessProbe?: { httpGet?: { path: string } };
  }[];
  volumes?: { name: string; emptyDir?: { sizeLimit?: string } }[];
}

/** How the chart runs one component: read from `helm template` with the chart's defaults. */
export interface ChartPod {
  component: string;
  command: string[];
  env: Record<string, string>;
  user: string;
  readOnlyRoot: boolean;
  dropCapabilities: string[];
  noNewPrivileges: boolean;
  mounts: { volume: string; mountPath: string; readOnly: boolean; tmpfsSize?: string }[];
  readinessPath: string | undefined;
  livenessPath: string | undefined;
  graceSeconds: number;
}

/** Every Deployment of the chart (collector, renderer, mailer, api) and the trigger CronJob, as the pod it runs. */
export async function chartPods(): Promise<Record<string, ChartPod>> {
  const { objects, error } = await renderChart();
  if (error) throw new Error(`helm template failed: ${error}`);
  const pods: Record<string, ChartPod> = {};
  for (const object of objects) {
    const spec =
      object.kind === 'Deployment'
        ? (object.spec as { template: { spec: PodSpec } }).template.spec
        : object.kind === 'CronJob'
          ? (object.spec as { jobTemplate: { spec: { template: { spec: PodSpec } } } }).jobTemplate.spec.template.spec
          : undefined;
    if (!spec) continue;
    const container = spec.containers[0]!;
    const component = object.metadata.labels?.['app.kubernetes.io/component'] ?? object.metadata.name;
    const volumes = new Map((spec.volumes ?? []).map((v) => [v.name, v]));
    pods[component] = {
      component,
      command: container.command,
      env: Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value ?? ''])),
      user: `${spec.securityContext?.runAsUser ?? 0}:${spec.securityContext?.runAsGroup ?? 0}`,
      readOnlyRoot: container.securityContext?.readOnlyRootFilesystem === true,
      dropCapabilities: container.securityContext?.capabilities?.drop ?? [],
      noNewPrivileges: container.securityContext?.allowPrivilegeEscalation === false,
      mounts: (container.volumeMounts ?? []).map((m) => ({
        volume: m.name,
        mountPath: m.mountPath,
        readOnly: m.readOnly === true,
        tmpfsSize: volumes.get(m.name)?.emptyDir ? (volumes.get(m.name)?.emptyDir?.sizeLimit ?? '64Mi') : undefined,
      })),
      readinessPath: container.readinessProbe?.httpGet?.path,
      livenessPath: container.livenessProbe?.httpGet?.path,
      graceSeconds: spec.terminationGracePeriodSeconds ?? 30,
    };
  }
  return pods;
}

/** What the chart's ConfigMap and Secrets hold, as files on this machine. */
export interface PodFiles {
  /** The configuration file (the ConfigMap's config.yaml). */
  config: string;
  /** A directory with id_ed25519 and known_hosts (the SSH Secret). */
  ssh: string;
  /** A directory for the API token Secret (optional in the chart too). */
  secrets?: string;
}

export interface RunningPod {
  pod: ChartPod;
  id: string;
  container: StartedTestContainer;
  output: () => string;
  /** `docker stop` with the chart's grace period: the exit code and how long it took. */
  stop: () => Promise<{ exitCode: number; seconds: number; oomKilled: boolean }>;
  /** `docker kill` (SIGKILL). */
  kill: () => Promise<void>;
  remove: () => Promise<void>;
}

/** A Kubernetes emptyDir size ("256Mi") as a tmpfs size option ("256m"). */
function tmpfsSize(size: string): string {
  const match = /^(\d+)(Ki|Mi|Gi)?$/.exec(size);
  if (!match) throw new Error(`unexpected emptyDir sizeLimit ${size}`);
  return `${match[1]}${{ Ki: 'k', Mi: 'm', Gi: 'g' }[match[2] ?? ''] ?? ''}`;
}

/** The chart's pod, to Docker: the user, the read-only root, the capabilities and the mounts. */
class ChartPodContainer extends GenericContainer {
  constructor(pod: ChartPod, files: PodFiles) {
    super(image);
    this.hostConfig.ReadonlyRootfs = pod.readOnlyRoot;
    this.hostConfig.CapDrop = pod.dropCapabilities;
    if (pod.noNewPrivileges) this.hostConfig.SecurityOpt = ['no-new-privileges'];
    const binds: { source: string; target: string; mode: 'ro' | 'rw' }[] = [];
    const tmpfs: Record<string, string> = {};
    for (const mount of pod.mounts) {
      if (mount.tmpfsSize) {
        tmpfs[mount.mountPath] = `rw,size=${tmpfsSize(mount.tmpfsSize)},mode=1777`;
        continue;
      }
      const source = { config: files.config, ssh: files.ssh, 'api-token': files.secrets }[mount.volume];
      if (mount.volume === 'api-token' && !source) continue; // optional: true in the chart
      if (!source) throw new Error(`the chart mounts a volume the test does not know: ${mount.volume}`);
      binds.push({ source, target: mount.mountPath, mode: mount.readOnly ? 'ro' : 'rw' });
    }
    this.withBindMounts(binds).withTmpFs(tmpfs);
  }
}

/**
 * Starts one component from the image as the chart runs it, on the host's network (the test's
 * Redis, InfluxDB, sshd hosts and SMTP listen on loopback), and waits until its readiness probe
 * answers 200 from inside the container, as the kubelet's would.
 */
export async function startPod(
  pod: ChartPod,
  files: PodFiles,
  options: { port: number; env?: Record<string, string>; name?: string },
): Promise<RunningPod> {
  let output = '';
  const probe = `fetch('http://127.0.0.1:${options.port}${pod.readinessPath ?? '/readyz'}').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`;
  const container = await new ChartPodContainer(pod, files)
    .withCommand(pod.command)
    .withUser(pod.user)
    .withNetworkMode('host')
    .withEnvironment({ ...pod.env, LOG_LEVEL: 'info', ...options.env })
    .withLabels({ 'org.infra-report.test': options.name ?? pod.component })
    .withHealthCheck({ test: ['CMD', 'node', '-e', probe], interval: 500, timeout: 3000, retries: 120 })
    .withWaitStrategy(Wait.forHealthCheck())
    .withStartupTimeout(60_000)
    .withLogConsumer((stream) => stream.on('data', (chunk: Buffer) => (output += chunk.toString())))
    .start();
  const id = container.getId();
  return {
    pod,
    id,
    container,
    output: () => output,
    async stop() {
      const started = Date.now();
      await run('docker', ['stop', '-t', String(pod.graceSeconds), id], { timeout: (pod.graceSeconds + 30) * 1000 });
      const seconds = (Date.now() - started) / 1000;
      const { stdout } = await run('docker', ['inspect', '-f', '{{.State.ExitCode}} {{.State.OOMKilled}}', id]);
      const [exitCode, oomKilled] = stdout.trim().split(' ');
      return { exitCode: Number(exitCode), seconds, oomKilled: oomKilled === 'true' };
    },
    async kill() {
      await run('docker', ['kill', id]);
    },
    async remove() {
      await run('docker', ['rm', '-f', id]).catch(() => undefined);
    },
  };
}

/** A pod that runs to its end (the trigger CronJob's); resolves with its exit code and output. */
export async function runPodToEnd(pod: ChartPod, files: PodFiles): Promise<{ exitCode: number; output: string }> {
  let output = '';
  const container = await new ChartPodContainer(pod, files)
    .withCommand(pod.command)
    .withUser(pod.user)
    .withNetworkMode('host')
    .withEnvironment(pod.env)
    .withLabels({ 'org.infra-report.test': pod.component })
    .withWaitStrategy(Wait.forOneShotStartup())
    .withStartupTimeout(120_000)
    .withLogConsumer((stream) => stream.on('data', (chunk: Buffer) => (output += chunk.toString())))
    .start();
  const id = container.getId();
  const { stdout } = await run('docker', ['inspect', '-f', '{{.State.ExitCode}}', id]);
  await run('docker', ['rm', '-f', id]).catch(() => undefined);
  return { exitCode: Number(stdout.trim()), output };
}

/** Whether the image is there, and the content it was built from (scripts/build-image.sh). */
export async function builtImage(): Promise<{ content: string; user: string } | undefined> {
  try {
    const { stdout } = await run('docker', [
      'image',
      'inspect',
      '-f',
      '{{ index .Config.Labels "org.infra-report.content" }} {{ .Config.User }}',
      image,
    ]);
    const [content, user] = stdout.trim().split(' ');
    return { content: content ?? '', user: user ?? '' };
  } catch {
    return undefined;
  }
}

/**
 * A configuration and the SSH client key and known_hosts as a container reads them: the test
 * fleet's hosts and keys at the container's paths (/etc/infra-report/...), the given pipeline
 * lines, in a new directory. The key files get `keys.mode` (and group `keys.group`): the chart's
 * Secret is 0440 for fsGroup 1000, make-keys.sh leaves 0644.
 */
export function writeContainerFiles(
  hosts: Parameters<typeof fleetConfigYaml>[0],
  pipeline: string[],
  keys: { mode: number; group?: number },
): { dir: string; config: string; ssh: string } {
  const { ssh: fleet } = testServices();
  const dir = mkdtempSync(path.join(tmpdir(), 'ir-container-files-'));
  chmodSync(dir, 0o755);
  const ssh = path.join(dir, 'ssh');
  mkdirSync(ssh, { mode: 0o755 });
  for (const [from, to] of [
    [fleet.clientKey, 'id_ed25519'],
    [fleet.knownHosts, 'known_hosts'],
  ] as const) {
    copyFileSync(from, path.join(ssh, to));
    if (keys.group !== undefined) chownSync(path.join(ssh, to), 0, keys.group);
    chmodSync(path.join(ssh, to), keys.mode);
  }
  const config = path.join(dir, 'config.yaml');
  writeFileSync(
    config,
    fleetConfigYaml(hosts, pipeline.join('\n'))
      .replace(fleet.clientKey, '/etc/infra-report/ssh/id_ed25519')
      .replace(fleet.knownHosts, '/etc/infra-report/ssh/known_hosts'),
  );
  chmodSync(config, 0o644);
  return { dir, config, ssh };
}
