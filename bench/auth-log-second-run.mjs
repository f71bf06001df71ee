// Figure: bytes that cross the wire when a 100 MB auth log is collected twice over SSH.
// Compared with: the first run (which must read the whole window) and the file size itself;
// the target is "a few KB" for the second run of an unchanged log.
// Needs the test services (bash scripts/test-services.sh) and a build (npm run build).
// Usage: node bench/auth-log-second-run.mjs [size-in-MB]
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  writeFileSync,
  openSync,
  writeSync,
  closeSync,
  chmodSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseConfig, planRun, silentLogger } from '@infra-report/shared';
import { collectHost, createFileAuthLogStateStore, createRunnerFactory } from '@infra-report/collector';

const sizeMb = Number(process.argv[2] ?? 100);
const stateFile = path.join(process.env.INFRA_REPORT_TEST_STATE ?? '/var/tmp/infra-report-test-services', 'env');
const env = Object.fromEntries(
  readFileSync(stateFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(/=(.*)/s).slice(0, 2)),
);

const logDir = path.join(env.SSH_FLEET_LOGS, 'bench');
mkdirSync(logDir, { recursive: true });
chmodSync(logDir, 0o755);
const log = path.join(logDir, 'auth.log');
const now = Date.now();
const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const stamp = (t) => {
  const d = new Date(t);
  const p = (n) => String(n).padStart(2, '0');
  return `${months[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
};
// Mostly other daemons' lines (filtered out on the host), one sshd line in 200.
const fd = openSync(log, 'w');
let written = 0;
let i = 0;
while (written < sizeMb * 1024 * 1024) {
  const t = now - 23 * 3600_000 + Math.floor((i / (sizeMb * 6000)) * 22 * 3600_000);
  const line =
    i % 200 === 0
      ? `${stamp(t)} bench sshd[${i}]: Failed password for root from 198.51.100.${i % 250} port ${i % 60000} ssh2\n`
      : `${stamp(t)} bench CRON[${i}]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0) padding-padding-padding\n`;
  written += writeSync(fd, line);
  i += 1;
}
closeSync(fd);
chmodSync(log, 0o644);

const config = parseConfig(
  `ssh: { user: ${env.SSH_FLEET_USER}, port: ${env.SSH_FLEET_PORT}, private_key_file: ${env.SSH_FLEET_DIR}/client_key, known_hosts_file: ${env.SSH_FLEET_DIR}/known_hosts }
collect: { max_output_bytes: 1073741824 }
hosts: [{ name: bench, address: 127.0.0.11, collect: { auth_log: "${log}" } }]
`,
  'bench.yaml',
  { env: { HOME: '/root' } },
);
const host = config.hosts[0];
const authLogState = createFileAuthLogStateStore(mkdtempSync(path.join(tmpdir(), 'ir-bench-state-')));

async function collectOnce() {
  const started = performance.now();
  const snapshot = await collectHost(host, planRun(config, {}, new Date()).spec, {
    openRunner: createRunnerFactory('/root'),
    influx: undefined,
    now: () => new Date(),
    logger: silentLogger(),
    authLogState,
  });
  const failed = snapshot.logins.failed.reduce((n, f) => n + f.count, 0);
  return { bytes: snapshot.collectedBytes, failed, ms: Math.round(performance.now() - started) };
}

const first = await collectOnce();
const second = await collectOnce();
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
console.log(`auth log: ${sizeMb} MB, ${i} lines (${Math.ceil(i / 200)} sshd failures)`);
console.log(
  `first run:  ${kb(first.bytes)} over the wire (whole batch; sshd lines filtered on the host), ${first.failed} failed logins, ${first.ms} ms`,
);
console.log(
  `second run: ${kb(second.bytes)} over the wire, ${second.failed} failed logins (same window, from state), ${second.ms} ms`,
);
console.log(`target: second run a few KB, not ${sizeMb} MB -> ${second.bytes < 16 * 1024 ? 'met' : 'NOT met'}`);
writeFileSync(log, '');
