import { execFileSync } from 'node:child_process';
import { appendFileSync, chmodSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { planRun, silentLogger, type HostSnapshot } from '@infra-report/shared';
import { fleetConfig, fleetHost, syslogTime, testServices } from '@infra-report/testkit';
import { createFileAuthLogStateStore } from './auth-log-state.js';
import { collectHost } from './collect-host.js';
import { createRunnerFactory } from './open-runner.js';

/**
 * Reading the auth log of a real host over SSH across runs: new bytes only, rotation (plain and
 * compressed), truncation; no login lost, none counted twice.
 */
describe('incremental auth log reading over SSH', () => {
  const services = testServices();
  const logDir = path.join(services.ssh.logs, 'rotation');
  const log = path.join(logDir, 'auth.log');
  const stateDir = mkdtempSync(path.join(tmpdir(), 'ir-state-'));
  const authLogState = createFileAuthLogStateStore(stateDir);
  const config = fleetConfig([{ index: 1, name: 'rotating', authLog: log }]);
  const host = fleetHost(config, 'rotating');
  const start = Date.now();
  let minute = 0;
  /** A login line one minute after the previous one, all inside the 24-hour window. */
  const login = (user: string) => {
    minute += 1;
    return `${syslogTime(new Date(start - 120 * 60_000 + minute * 60_000))} rotating sshd[${1000 + minute}]: Accepted publickey for ${user} from 192.0.2.${minute} port 40000 ssh2\n`;
  };
  let lastSection = 0;
  const collect = async (): Promise<HostSnapshot> => {
    const snapshot = await collectHost(host, planRun(config, {}, new Date()).spec, {
      openRunner: createRunnerFactory('/root'),
      influx: undefined,
      now: () => new Date(),
      logger: silentLogger(),
      authLogState,
    });
    lastSection = snapshot.collectedBytes; // what crossed the wire for the whole batch
    return snapshot;
  };
  const users = (s: HostSnapshot) => s.logins.accepted.map((a) => a.user);
  const loginProblems = (s: HostSnapshot) => s.problems.filter((p) => p.probe === 'logins').map((p) => p.message);

  beforeAll(() => {
    rmSync(logDir, { recursive: true, force: true });
    mkdirSync(logDir, { recursive: true });
    chmodSync(logDir, 0o755);
  });

  it('reads the whole window first, then only what was appended', async () => {
    writeFileSync(log, login('u1') + login('u2') + 'x'.repeat(200_000) + '\n');
    const first = await collect();
    expect(users(first)).toEqual(['u1', 'u2']);
    const firstBytes = lastSection;

    appendFileSync(log, login('u3'));
    const second = await collect();
    expect(users(second)).toEqual(['u1', 'u2', 'u3']);
    // The batch without the auth log is a few KB; nothing of the old 200 KB is sent again.
    expect(lastSection).toBeLessThan(firstBytes + 1024);
  });

  it('finishes the rotated file from the old offset, then reads the new one', async () => {
    renameSync(log, `${log}.1`);
    appendFileSync(`${log}.1`, login('u4')); // written by syslog through its old handle
    writeFileSync(log, login('u5'));
    const snapshot = await collect();
    expect(users(snapshot)).toEqual(['u1', 'u2', 'u3', 'u4', 'u5']);
    expect(loginProblems(snapshot)).toEqual([]);
  });

  it('reads a rotation that was compressed at once, without counting anything twice', async () => {
    appendFileSync(log, login('u6'));
    renameSync(`${log}.1`, `${log}.2`);
    execFileSync('gzip', ['-f', `${log}.2`]);
    renameSync(log, `${log}.1`);
    execFileSync('gzip', ['-f', `${log}.1`]);
    writeFileSync(log, login('u7'));
    const snapshot = await collect();
    expect(users(snapshot)).toEqual(['u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7']);
    // The new file may even reuse the old inode number: then it shows as "replaced". Either way it is said.
    expect(loginProblems(snapshot)).toEqual([
      expect.stringMatching(/was rotated and the old file compressed or removed|was truncated or replaced/),
    ]);
  });

  it('notices a truncated log and reads it again from the start', async () => {
    writeFileSync(log, login('u8'));
    const snapshot = await collect();
    expect(users(snapshot)).toEqual(['u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7', 'u8']);
    expect(loginProblems(snapshot)).toEqual([
      `${log} was truncated or replaced since the last run: read again from the start`,
    ]);
  });

  it('on a first run reads rotated files (plain and .gz) that reach into the window', async () => {
    rmSync(stateDir, { recursive: true, force: true });
    const snapshot = await collect();
    // u7 went with the truncation; everything else is on disk in auth.log.2.gz, .1.gz and auth.log.
    expect(users(snapshot).sort()).toEqual(['u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u8']);
  });
});
