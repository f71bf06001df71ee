// Figure: N simulated hosts through the four services (collectors, renderer, mailer as separate
// processes), trigger to email. The hosts are the test kit's host farm: ssh2 servers in a few
// processes on N loopback addresses (127.30.x.y:2299), answering the real batch with the
// sections three real hosts answered (this machine's batch run with an auth log of 0, 300 and
// 2,000 lines of the loghub OpenSSH sample, re-dated into the window), recorded at the start.
// Prints: jobs/s, Redis memory (baseline, peak, per job, left after the run), InfluxDB points/s
// and write errors, renderer time and peak RSS, time to email, each process's CPU.
// Needs the test services (InfluxDB 18086, the fleet's client key), redis-server, a build, root.
// Usage: node bench/host-farm.mjs [hosts=10000] [collectors=4] [farm processes=4]
//   HEAP_MIB=N: one V8 heap limit for every service (default: the chart's, from its memory limits)
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { get } from 'node:http';
import { setInterval, clearInterval } from 'node:timers';
import { Redis } from 'ioredis';
import { ensureInfluxV1Database, parseConfig, planRun } from '@infra-report/shared';
import { collectionScript } from '@infra-report/collector';
import {
  farmConfigYaml,
  freePort,
  recordFarmProfile,
  repoRoot,
  runCli,
  startHostFarm,
  startPrivateRedis,
  startService,
  startTestSmtpServer,
  syslogTime,
  testInfluxSettings,
  testServices,
  uniqueName,
} from '@infra-report/testkit';

const hostCount = Number(process.argv[2] ?? 10_000);
const collectorCount = Number(process.argv[3] ?? 4);
const farmProcesses = Number(process.argv[4] ?? 4);
const services = testServices();
const work = mkdtempSync(path.join(tmpdir(), 'ir-farm-bench-'));

/** The loghub sample's sshd lines, re-dated to the last hours (so they fall in the window). */
function authLog(lines) {
  const sample = readFileSync(path.join(repoRoot, 'test-fixtures/auth-logs/loghub-OpenSSH_2k.log'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .slice(0, lines);
  const start = Date.now() - 3 * 3_600_000;
  const file = path.join(work, `auth-${lines}.log`);
  writeFileSync(
    file,
    sample.map((l, i) => `${syslogTime(new Date(start + i * 2000))} ${l.slice(16)}`).join('\n') + '\n',
  );
  return file;
}

function profiles() {
  return [0, 300, 2000].map((lines) => {
    const file = authLog(lines);
    const config = parseConfig(
      `hosts: [{ name: rec, local: true, collect: { auth_log: "${file}", updates: false } }]\n`,
      'record.yaml',
      { env: { HOME: '/root' } },
    );
    const { spec, hosts } = planRun(config, {}, new Date());
    return recordFarmProfile(`auth-${lines}`, collectionScript(hosts[0], spec));
  });
}

const cpuSeconds = (pid) => {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
};
const peakRssMb = (pid) => {
  try {
    return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;
  } catch {
    return NaN;
  }
};
/** A service's Prometheus text (node:http: the bench files see Node's modules, not its globals). */
const scrape = (port) =>
  new Promise((resolve, reject) =>
    get(`http://127.0.0.1:${port}/metrics`, (response) => {
      let body = '';
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => resolve(body));
    }).on('error', reject),
  );
const metric = (text, name, label = '') =>
  text
    .split('\n')
    .filter((l) => l.startsWith(name) && l.includes(label))
    .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);

const recorded = profiles();
const farm = await startHostFarm({
  hosts: hostCount,
  profiles: recorded,
  processes: farmProcesses,
  port: 2299,
  subnet: 30,
});
const redis = await startPrivateRedis({ aof: true });
const smtp = await startTestSmtpServer();
const influx = testInfluxSettings('farm');
await ensureInfluxV1Database(influx);
const prefix = uniqueName('farm');
const configFile = path.join(work, 'config.yaml');
writeFileSync(
  configFile,
  farmConfigYaml(farm, [
    `redis: { url: "${redis.url}", prefix: ${prefix} }`,
    `influx: { url: "${services.influxUrl}", api: v1, bucket: ${influx.bucket} }`,
    `smtp: { host: 127.0.0.1, port: ${smtp.port}, from: reports@example.com, to: [ops@example.com] }`,
    'collector: { concurrency: 50, attempts: 3, backoff_seconds: 5 }',
    'pipeline: { run_deadline_minutes: 120 }',
  ]),
);

// As the chart runs them: V8's heap at three quarters of each pod's memory limit (collector and
// mailer 512Mi: 384 MiB; renderer 1536Mi: 1152 MiB). HEAP_MIB sets one limit for all.
const heap = (chartMiB) => ({ NODE_OPTIONS: `--max-old-space-size=${process.env.HEAP_MIB ?? chartMiB}` });
const heapMiB = process.env.HEAP_MIB ?? 'the chart';
const started = [];
try {
  const ports = [];
  for (let i = 0; i < collectorCount; i += 1) {
    const port = await freePort();
    ports.push(port);
    started.push(await startService('collector', configFile, { METRICS_PORT: String(port), ...heap(384) }));
  }
  const rendererPort = await freePort();
  const renderer = await startService('renderer', configFile, { METRICS_PORT: String(rendererPort), ...heap(1152) });
  const mailer = await startService('mailer', configFile, { METRICS_PORT: '0', ...heap(384) });
  started.push(renderer, mailer);
  const client = new Redis(redis.url);
  const memory = async () => Number(/used_memory:(\d+)/.exec(await client.info('memory'))?.[1]);
  const baseline = await memory();
  let peak = baseline;
  const completed = [];
  const t0 = Date.now();
  const trigger = await runCli(['trigger', '-c', configFile]);
  if (trigger.code !== 0) throw new Error(`trigger failed: ${trigger.stderr}`);
  const sampler = setInterval(async () => {
    peak = Math.max(peak, await memory().catch(() => 0));
    const done = await client.zcard(`${prefix}:collect:completed`).catch(() => 0);
    completed.push([Date.now() - t0, done]);
  }, 1000);
  // A service that dies (out of memory, say) ends the bench with what it said, not a long wait.
  const died = new Promise((_, reject) =>
    started.forEach((service) =>
      service.child.once('exit', (code, signal) =>
        reject(new Error(`${service.name} exited (${signal ?? code}):\n${service.output().slice(-3000)}`)),
      ),
    ),
  );
  const [mail] = await Promise.race([smtp.waitForMessages(1, 3 * 3_600_000), died]);
  const emailSeconds = (Date.now() - t0) / 1000;
  clearInterval(sampler);
  const after = await memory();
  peak = Math.max(peak, after);
  const firstDone = completed.find(([, n]) => n > 0)?.[0] ?? 0;
  const allDone = completed.find(([, n]) => n >= hostCount)?.[0] ?? emailSeconds * 1000;
  const collectorMetrics = await Promise.all(ports.map(scrape));
  const points = collectorMetrics.reduce((n, t) => n + metric(t, 'infra_report_influx_points_written_total'), 0);
  const writeErrors = collectorMetrics.reduce((n, t) => n + metric(t, 'infra_report_influx_write_errors_total'), 0);
  const rendererMetrics = await scrape(rendererPort);
  const renderSeconds = metric(rendererMetrics, 'infra_report_job_duration_seconds_sum', 'queue="render"');
  const served = await farm.served();
  const collectSeconds = allDone / 1000;
  const reported = /(\d[\d,]*) of (\d[\d,]*) hosts reported/.exec(mail?.text ?? '')?.[0] ?? '(no count in the email)';

  console.log(
    `\n${hostCount} simulated hosts, ${collectorCount} collectors (concurrency 50 each), ${farmProcesses} farm processes, heap limits: ${heapMiB === 'the chart' ? "the chart's" : `${heapMiB} MiB`}`,
  );
  console.log(`email: ${reported}; ${smtp.messages.length} email(s); ${served} batches answered by the farm`);
  console.log('| figure | value |');
  console.log('| --- | ---: |');
  console.log(`| time to email (trigger to SMTP) | ${emailSeconds.toFixed(1)} s |`);
  console.log(`| collection (trigger to last collect job completed) | ${collectSeconds.toFixed(1)} s |`);
  console.log(
    `| jobs/s (first to last completion) | ${(hostCount / Math.max(0.001, (allDone - firstDone) / 1000)).toFixed(0)} |`,
  );
  console.log(`| render job (renderer's own histogram) | ${renderSeconds.toFixed(1)} s |`);
  console.log(
    `| Redis used_memory: before / peak / after the run | ${(baseline / 1e6).toFixed(1)} / ${(peak / 1e6).toFixed(1)} / ${(after / 1e6).toFixed(1)} MB |`,
  );
  console.log(
    `| Redis per job at peak / left per host after the run | ${((peak - baseline) / hostCount / 1024).toFixed(1)} / ${((after - baseline) / hostCount / 1024).toFixed(1)} KB |`,
  );
  console.log(
    `| InfluxDB points written / per second of collection / write errors | ${points} / ${(points / collectSeconds).toFixed(0)} / ${writeErrors} |`,
  );
  for (const [index, service] of started.entries())
    console.log(
      `| ${service.name}${service.name === 'collector' ? ` ${index + 1}` : ''} CPU / peak RSS | ${cpuSeconds(service.child.pid).toFixed(1)} s / ${peakRssMb(service.child.pid).toFixed(0)} MB |`,
    );
  // What the run left in Redis, by kind of key (host names and ids folded).
  const byKind = new Map();
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      const kind = key
        .replace(prefix, '<prefix>')
        .replace(/farm\d{5}/g, '<host>')
        .replace(/\d{4}-\d{2}-\d{2}_all/g, '<run>')
        .replace(/:\d+$/, ':<n>');
      const bytes = Number(await client.memory('USAGE', key, 'SAMPLES', '0')) || 0;
      const entry = byKind.get(kind) ?? { keys: 0, bytes: 0 };
      entry.keys += 1;
      entry.bytes += bytes;
      byKind.set(kind, entry);
    }
  } while (cursor !== '0');
  console.log('\nRedis after the run, by kind of key (MEMORY USAGE):');
  for (const [kind, { keys, bytes }] of [...byKind].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, 12))
    console.log(`  ${kind.padEnd(50)} ${String(keys).padStart(6)} keys ${(bytes / 1e6).toFixed(1).padStart(8)} MB`);
  await client.quit();
} finally {
  await Promise.all(started.map((s) => s.stop(60_000).catch(() => s.child.kill('SIGKILL'))));
  await smtp.close();
  await redis.stop();
  await farm.stop();
}
