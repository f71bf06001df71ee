// Alert emails on a morning when one scanner works through the whole fleet: N real sshd hosts
// (scripts/sshd-fleet.sh, 127.10.x.y:2222) whose auth logs share six brute-force sources, one
// `infra-report run` with a real SMTP server. Counts the emails besides the report:
//   defaults      the default alert rules (collections page a critical disk only)
//   paged         failed logins turned on for collections (alerts.rules.failed_logins.on)
// beside, with --before DIR, the same defaults run by another checkout of infra-report (the one
// email per host per finding of the delivery before grouping: git worktree add DIR 5491677,
// then npm run build there).
//
//   node bench/alert-emails.mjs [hosts] [--before DIR]
//
// Needs root (the sshd fleet), a build and the test services. Stops the sshd it started.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fleetSshYaml, repo, startBenchFleet } from './bench-fleet.mjs';
import { startTestSmtpServer } from '../packages/testkit/dist/index.js';

const hosts = Number(process.argv[2] ?? 200);
const beforeIndex = process.argv.indexOf('--before');
const beforeCheckout = beforeIndex > 0 ? process.argv[beforeIndex + 1] : undefined;
const sources = ['183.62.140.253', '218.92.0.112', '61.177.172.13', '45.148.10.240', '193.32.162.83', '92.255.85.37'];

const fleet = startBenchFleet(hosts);
const dir = mkdtempSync(path.join(tmpdir(), 'ir-bench-alerts-'));
chmodSync(dir, 0o755);
const smtp = await startTestSmtpServer();

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n) => String(n).padStart(2, '0');
const syslogTime = (d) =>
  `${months[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;

const now = Date.now();
fleet.fleet.forEach(({ name }, i) => {
  const lines = [];
  sources.forEach((source, k) => {
    const count = 10 + ((i + k) % 5);
    for (let n = 0; n < count; n += 1)
      lines.push(
        `${syslogTime(new Date(now - (300 - n * 5 - k) * 60_000))} ${name} sshd[${1000 + n}]: Failed password for root from ${source} port ${40000 + n} ssh2`,
      );
  });
  mkdirSync(path.join(dir, 'logs', name), { recursive: true, mode: 0o755 });
  writeFileSync(path.join(dir, 'logs', name, 'auth.log'), `${lines.sort().join('\n')}\n`, { mode: 0o644 });
});

async function run(label, extra, checkout = repo) {
  const config = [
    ...fleetSshYaml(fleet),
    '  connect_timeout_seconds: 10',
    'collector: { concurrency: 50 }',
    'report:',
    `  output_dir: ${dir}/${label}/reports`,
    `  state_dir: ${dir}/${label}/state`,
    // Only the scanner: this machine's disks are not part of the figure.
    '  thresholds: { disk_warn_percent: 100, disk_critical_percent: 100 }',
    `smtp: { host: 127.0.0.1, port: ${smtp.port}, from: "infra-report <reports@example.com>", to: [ops@example.com] }`,
    'hosts:',
    ...fleet.fleet.flatMap(({ name, address }) => [
      `  - name: ${name}`,
      `    address: ${address}`,
      `    collect: { auth_log: ${path.join(dir, 'logs', name, 'auth.log')}, updates: false }`,
    ]),
    ...extra,
  ].join('\n');
  const file = path.join(dir, `${label}.yaml`);
  writeFileSync(file, `${config}\n`);
  const first = smtp.messages.length;
  const started = performance.now();
  try {
    // Not execFileSync: the SMTP server runs in this process and must answer meanwhile.
    await promisify(execFile)(path.join(checkout, 'infra-report'), ['run', '-c', file], {
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    // Exit status 4: some hosts were not collected; the figure says how many emails still.
    if (error.code !== 4) throw error;
  }
  const mails = smtp.messages.slice(first);
  const alerts = mails.filter((m) => !/^Daily Infrastructure Report/.test(m.subject ?? ''));
  return {
    mails: mails.length,
    alerts: alerts.length,
    seconds: (performance.now() - started) / 1000,
    subject: alerts[0]?.subject,
  };
}

try {
  const earlier = beforeCheckout ? await run('before', [], beforeCheckout) : undefined;
  const defaults = await run('defaults', []);
  const paged = await run('paged', ['alerts: { rules: { failed_logins: { on: [collection] } } }']);
  const again = await run('paged', ['alerts: { rules: { failed_logins: { on: [collection] } } }']);
  const perHost = hosts * sources.length;
  console.log(`${hosts} hosts, ${sources.length} scanner sources on each`);
  console.log(`  one email per host per finding would be: ${perHost} alert emails`);
  if (earlier)
    console.log(
      `  ${beforeCheckout} (before grouping), defaults: ${earlier.alerts} alert email(s) + ${earlier.mails - earlier.alerts} report (${earlier.seconds.toFixed(1)} s)`,
    );
  console.log(
    `  defaults:        ${defaults.alerts} alert email(s) + ${defaults.mails - defaults.alerts} report (${defaults.seconds.toFixed(1)} s)`,
  );
  console.log(
    `  failed logins paged on collections: ${paged.alerts} alert email(s) + ${paged.mails - paged.alerts} report (${paged.seconds.toFixed(1)} s)`,
  );
  console.log(`    subject: ${paged.subject}`);
  console.log(`  the same run again (alerts still firing): ${again.alerts} alert email(s)`);
  console.log(`  ratio (grouped / per host per finding): ${(paged.alerts / perHost).toFixed(4)}`);
} finally {
  await smtp.close();
  fleet.stop();
  rmSync(dir, { recursive: true, force: true });
}
