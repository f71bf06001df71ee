import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planRun, silentLogger, wallClock, type HostSnapshot } from '@infra-report/shared';
import {
  fleetConfig,
  fleetHost,
  loadSshdVariants,
  startZonedSshd,
  syslogTime,
  testServices,
  writeFleetAuthLog,
  type FleetHostSpec,
  type ZonedSshd,
} from '@infra-report/testkit';
import { createFileAuthLogStateStore } from './auth-log-state.js';
import { collectHost } from './collect-host.js';
import { createRunnerFactory } from './open-runner.js';

const { variants, totals } = loadSshdVariants();

async function collect(spec: FleetHostSpec & { name: string }): Promise<HostSnapshot> {
  const config = fleetConfig([spec]);
  return collectHost(fleetHost(config, spec.name), planRun(config, {}, new Date()).spec, {
    openRunner: createRunnerFactory('/root'),
    influx: undefined,
    now: () => new Date(),
    logger: silentLogger(),
    authLogState: createFileAuthLogStateStore(mkdtempSync(path.join(tmpdir(), 'ir-variants-state-'))),
  });
}

/** Attempts and probes per source, as the corpus's "=" lines write them. */
function totalsOf(snapshot: HostSnapshot) {
  const bySource = new Map<string, { source: string; attempts: number; probes: number }>();
  const row = (source: string) => {
    const existing = bySource.get(source) ?? { source, attempts: 0, probes: 0 };
    bySource.set(source, existing);
    return existing;
  };
  for (const f of snapshot.logins.failed) row(f.sourceIp).attempts += f.count;
  for (const s of snapshot.logins.signals) if (s.kind !== 'invalid-user') row(s.sourceIp).probes += s.count;
  return [...bySource.values()].sort((a, b) => a.source.localeCompare(b.source));
}
const expectedTotals = [...totals].sort((a, b) => a.source.localeCompare(b.source));

/** Corpus line i, i seconds after an hour ago: inside the 24-hour window. */
const start = Date.now() - 3_600_000;
const lineTime = (i: number) => new Date(start + i * 1000);

describe('the sshd variants corpus read from real hosts over SSH', () => {
  it('gives the corpus totals from an auth log file', async () => {
    writeFleetAuthLog(
      'variants',
      variants.map((v, i) => `${syslogTime(lineTime(i))} variants ${v.tag} ${v.message}`),
    );
    const snapshot = await collect({ index: 3, name: 'variants' });
    expect(totalsOf(snapshot)).toEqual(expectedTotals);
    expect(snapshot.security.map((f) => f.message)).toContain('14 failed SSH logins from 203.0.113.99');
  });

  it('gives the same totals from a journal (entries written by systemd-journal-remote)', async () => {
    const dir = path.join(testServices().ssh.logs, 'variants-journal');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o755);
    const file = path.join(dir, 'remote.journal');
    const exported = variants
      .map((v, i) =>
        [
          `__REALTIME_TIMESTAMP=${lineTime(i).getTime() * 1000}`,
          '_COMM=sshd',
          'SYSLOG_IDENTIFIER=sshd',
          ...(v.pid ? [`_PID=${v.pid}`] : []),
          `MESSAGE=${v.message}`,
          '',
          '',
        ].join('\n'),
      )
      .join('');
    execFileSync('/lib/systemd/systemd-journal-remote', [`--output=${file}`, '-'], {
      input: exported,
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    chmodSync(file, 0o644);
    const snapshot = await collect({ index: 4, name: 'variants-journal', authLog: `journal:${file}` });
    expect(totalsOf(snapshot)).toEqual(expectedTotals);
  });
});

/**
 * The host: /etc/localtime is America/New_York (the zone rsyslog writes in) while
 * /etc/timezone still says Etc/UTC. A real sshd in a mount namespace with that /etc.
 */
describe('a host whose logger writes in another zone than /etc/timezone says', () => {
  let host: ZonedSshd;
  beforeAll(async () => {
    host = await startZonedSshd('new-york', '127.0.0.21', 2222, {
      localtime: { link: 'America/New_York' },
      timezone: 'Etc/UTC',
    });
  }, 30_000);
  afterAll(async () => {
    await host?.stop();
  });

  it('reads its log lines in its logger zone, all six inside the window, and reports the stale /etc/timezone', async () => {
    const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
    const newYorkStamp = (instant: Date) => {
      const c = wallClock(instant, 'America/New_York');
      const pad = (n: number) => String(n).padStart(2, '0');
      return `${months[c.month - 1]} ${String(c.day).padStart(2, ' ')} ${pad(c.hour)}:${pad(c.minute)}:${pad(c.second)}`;
    };
    const now = Date.now();
    // Six attempts 1 to 23 hours ago, and one 26 hours ago (outside the window).
    const instants = [1, 3, 5, 12, 20, 23].map((h) => new Date(now - h * 3_600_000));
    const lines = [
      `${newYorkStamp(new Date(now - 26 * 3_600_000))} ny sshd[900]: Failed password for root from 198.51.100.200 port 1 ssh2`,
      ...instants.map(
        (t, i) => `${newYorkStamp(t)} ny sshd[${901 + i}]: Failed password for root from 198.51.100.200 port 1 ssh2`,
      ),
    ];
    const log = writeFleetAuthLog('ny', lines);
    const snapshot = await collect({
      index: 0,
      name: 'ny',
      address: host.address,
      port: host.port,
      authLog: log,
      knownHostsFile: host.knownHostsFile,
    });
    expect(snapshot.problems.filter((p) => p.probe === 'logins')).toEqual([]);
    expect(snapshot.os.timeZone).toBe('America/New_York');
    expect(['-0500', '-0400']).toContain(snapshot.os.utcOffset);
    expect(snapshot.logins.failed.map((f) => f.time)).toEqual(
      instants.map((t) => new Date(Math.floor(t.getTime() / 1000) * 1000).toISOString()).reverse(),
    );
    expect(snapshot.problems.filter((p) => p.probe === 'clock').map((p) => p.message)).toEqual([
      expect.stringMatching(/^\/etc\/timezone says Etc\/UTC but .* is America\/New_York/),
    ]);
  });
});
