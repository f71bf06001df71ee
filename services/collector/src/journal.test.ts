import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { planRun, silentLogger } from '@infra-report/shared';
import { fleetConfig, fleetHost, testServices } from '@infra-report/testkit';
import { createFileAuthLogStateStore } from './auth-log-state.js';
import { collectHost } from './collect-host.js';
import { createRunnerFactory } from './open-runner.js';

/** Appends entries to a real journal file with systemd-journal-remote (journal export format in). */
function appendJournal(file: string, entries: Record<string, string>[]): void {
  const exported = entries
    .map(
      (e) =>
        `${Object.entries(e)
          .map(([k, v]) => `${k}=${v}`)
          .join('\n')}\n\n`,
    )
    .join('');
  execFileSync('/lib/systemd/systemd-journal-remote', [`--output=${file}`, '-'], {
    input: exported,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  chmodSync(file, 0o644);
}

describe('a journald host (no auth log file) over SSH', () => {
  const services = testServices();
  const dir = path.join(services.ssh.logs, 'journald');
  const file = path.join(dir, 'remote.journal');
  const now = Date.now();
  const at = (minutesAgo: number) => String((now - minutesAgo * 60_000) * 1000);
  const entry = (minutesAgo: number, comm: string, message: string, pid = '4242') => ({
    __REALTIME_TIMESTAMP: at(minutesAgo),
    _COMM: comm,
    SYSLOG_IDENTIFIER: comm === 'logger' ? 'sshd' : comm,
    _PID: pid,
    MESSAGE: message,
  });

  it('reads sshd and sudo entries by cursor, and ignores entries forged with logger -t sshd', async () => {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o755);
    appendJournal(file, [
      entry(60, 'sshd', 'Accepted publickey for dora from 192.0.2.77 port 50000 ssh2'),
      entry(50, 'sshd', 'Failed password for invalid user admin from 198.51.100.9 port 40000 ssh2'),
      entry(45, 'logger', 'Accepted password for mallory from 203.0.113.66 port 1 ssh2'),
      entry(40, 'sudo', '    dora : TTY=pts/0 ; PWD=/home/dora ; USER=root ; COMMAND=/usr/bin/systemctl restart nginx'),
    ]);
    const config = fleetConfig([{ index: 2, name: 'jhost', authLog: `journal:${file}` }]);
    const host = fleetHost(config, 'jhost');
    const authLogState = createFileAuthLogStateStore(mkdtempSync(path.join(tmpdir(), 'ir-journal-state-')));
    const deps = {
      openRunner: createRunnerFactory('/root'),
      influx: undefined,
      now: () => new Date(),
      logger: silentLogger(),
      authLogState,
    };

    const first = await collectHost(host, planRun(config, {}, new Date()).spec, deps);
    expect(first.logins.source).toBe(`journal file ${file}`);
    expect(first.logins.accepted.map((a) => a.user)).toEqual(['dora']);
    expect(first.logins.failed.map((f) => [f.user, f.kind])).toEqual([['admin', 'invalid-user']]);
    expect(first.logins.privilege.map((p) => [p.user, p.asUser, p.command])).toEqual([
      ['dora', 'root', '/usr/bin/systemctl restart nginx'],
    ]);

    appendJournal(file, [entry(5, 'sshd', 'Accepted password for eve from 192.0.2.78 port 50001 ssh2', '4243')]);
    const second = await collectHost(host, planRun(config, {}, new Date()).spec, deps);
    expect(second.logins.accepted.map((a) => a.user)).toEqual(['dora', 'eve']);
    expect(second.logins.failed).toHaveLength(1);
    expect(second.problems.filter((p) => p.probe === 'logins')).toEqual([]);
  });
});
