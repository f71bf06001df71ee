import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '@infra-report/testkit';
import {
  authLogCommand,
  describeUnreadableLog,
  parseAuthLog,
  parseAuthLogStatus,
  type AuthLogContext,
  type AuthLogPosition,
} from './auth-log.js';
import { buildBatchScript, splitBatchOutput } from './command-batch.js';

const fixture = path.join(repoRoot, 'test-fixtures/auth-logs/loghub-OpenSSH_2k.log');
const referenceScript = path.join(repoRoot, 'test-fixtures/reference/sshd-logins.awk');

/** The whole of Dec 10 (the loghub sample's only day), read on Dec 11 of the same year. */
const labContext: AuthLogContext = {
  windowStart: new Date('2026-12-10T00:00:00Z'),
  windowEnd: new Date('2026-12-11T00:00:00Z'),
  hostNow: new Date('2026-12-11T00:00:00Z'),
  utcOffset: '+0000',
};

function tally(entries: { key: string; count: number }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const { key, count } of entries) out[key] = (out[key] ?? 0) + count;
  return out;
}

describe('parseAuthLog on the loghub OpenSSH sample', () => {
  const text = readFileSync(fixture, 'utf8');
  const parsed = parseAuthLog(text, labContext);
  // awk is the independent reference: what a sysadmin would count by hand.
  const reference = execFileSync('awk', ['-f', referenceScript, fixture], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [result, user, source, attempts] = line.split('\t');
      return { result: result ?? '', user: user ?? '', source: source ?? '', attempts: Number(attempts) };
    });

  /**
   * awk counts "Failed" lines. The sample ends 2 s after pid 25544's pam_unix "authentication
   * failure" for root from 183.62.140.253, before sshd's "Failed" line for that try: the try
   * happened, and is counted (a log read while the connection is still open would wait for it).
   */
  const cutOffTry = { result: 'failed', user: 'root', source: '183.62.140.253', attempts: 1 };

  it('counts failed attempts per source IP exactly as awk does', () => {
    const ours = tally(parsed.value.failed.map((f) => ({ key: f.sourceIp, count: f.count })));
    const theirs = tally(
      [...reference, cutOffTry].filter((r) => r.result === 'failed').map((r) => ({ key: r.source, count: r.attempts })),
    );
    expect(Object.keys(theirs).length).toBeGreaterThan(10);
    expect(ours).toEqual(theirs);
  });

  it('counts failed attempts per user exactly as awk does', () => {
    const ours = tally(parsed.value.failed.map((f) => ({ key: f.user, count: f.count })));
    const theirs = tally(
      [...reference, cutOffTry].filter((r) => r.result === 'failed').map((r) => ({ key: r.user, count: r.attempts })),
    );
    expect(ours).toEqual(theirs);
    expect(ours['root']).toBeGreaterThan(100);
  });

  it('finds the accepted password login and its source', () => {
    expect(parsed.value.accepted).toEqual([
      { time: '2026-12-10T09:32:20.000Z', user: 'fztu', sourceIp: '119.137.62.142', port: 49116, method: 'password' },
    ]);
    expect(reference.filter((r) => r.result === 'accepted')).toHaveLength(1);
  });

  it('counts "message repeated 5 times" as five attempts', () => {
    const repeated = parsed.value.failed.filter((f) => f.sourceIp === '5.36.59.76' && f.count === 5);
    expect(repeated).toHaveLength(1);
  });

  it('keeps the last line although the file ends without a newline, and strips CR', () => {
    const last = parsed.value.failed.at(-1);
    expect(last).toMatchObject({
      user: 'user',
      sourceIp: '103.99.0.122',
      kind: 'invalid-user',
      time: '2026-12-10T11:04:45.000Z',
    });
    expect(parsed.value.failed.every((f) => !f.user.includes('\r') && !f.sourceIp.includes('\r'))).toBe(true);
  });

  it('drops events outside the window', () => {
    const narrow = parseAuthLog(text, {
      ...labContext,
      windowStart: new Date('2026-12-10T09:00:00Z'),
      windowEnd: new Date('2026-12-10T10:00:00Z'),
    });
    expect(narrow.value.failed.length).toBeGreaterThan(0);
    expect(narrow.value.failed.length).toBeLessThan(parsed.value.failed.length);
    expect(narrow.value.failed.every((f) => f.time >= '2026-12-10T09:00:00' && f.time < '2026-12-10T10:00:01')).toBe(
      true,
    );
  });
});

describe('parseAuthLog on the loghub Red Hat sample (PAM-only sshd lines)', () => {
  const file = path.join(repoRoot, 'test-fixtures/auth-logs/loghub-Linux_2k.log');
  const parsed = parseAuthLog(readFileSync(file, 'utf8'), {
    windowStart: new Date('2026-06-01T00:00:00Z'),
    windowEnd: new Date('2026-08-01T00:00:00Z'),
    hostNow: new Date('2026-08-01T00:00:00Z'),
    utcOffset: '+0000',
  });
  const reference = execFileSync('awk', ['-f', referenceScript, file], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split('\t'));

  it('counts PAM authentication failures per rhost and per user exactly as awk does', () => {
    const failedRef = reference.filter((r) => r[0] === 'failed');
    expect(failedRef.length).toBeGreaterThan(400);
    expect(tally(parsed.value.failed.map((f) => ({ key: f.sourceIp, count: f.count })))).toEqual(
      tally(failedRef.map((r) => ({ key: r[2] ?? '', count: Number(r[3]) }))),
    );
    expect(tally(parsed.value.failed.map((f) => ({ key: f.user, count: f.count })))).toEqual(
      tally(failedRef.map((r) => ({ key: r[1] ?? '', count: Number(r[3]) }))),
    );
    expect(parsed.value.failed.every((f) => f.kind === 'pam-failure')).toBe(true);
  });

  it('counts PAM session openings as logins when sshd logged no "Accepted" lines', () => {
    expect(parsed.value.accepted).toHaveLength(reference.filter((r) => r[0] === 'accepted').length);
    expect(new Set(parsed.value.accepted.map((a) => a.user))).toEqual(new Set(['test']));
  });

  it('finds su sessions, including the line with "--" where the program belongs without crashing', () => {
    const su = parsed.value.privilege.filter((p) => p.tool === 'su');
    expect(su.length).toBe(
      Number(
        execFileSync('sh', ['-c', `grep -c 'su(pam_unix)\\[[0-9]*\\]: session opened' ${file}`], {
          encoding: 'utf8',
        }).trim(),
      ),
    );
    expect(new Set(su.map((p) => p.asUser))).toEqual(new Set(['cyrus', 'news']));
  });
});

describe('parseAuthLog event kinds', () => {
  const context: AuthLogContext = {
    windowStart: new Date('2026-11-21T00:00:00Z'),
    windowEnd: new Date('2026-11-23T00:00:00Z'),
    hostNow: new Date('2026-11-22T12:00:00Z'),
    utcOffset: '+0000',
  };

  it('counts a PAM failure once when the read ends between it and its "Failed" line', () => {
    const pam =
      'Nov 22 09:00:00 h sshd[9]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.9  user=root';
    const failed = 'Nov 22 09:00:02 h sshd[9]: Failed password for root from 203.0.113.9 port 5009 ssh2';
    const readAt = (iso: string) => ({ ...context, hostNow: new Date(iso) });
    // One collection reads up to the PAM line, the next from the "Failed" line on: one attempt in all.
    expect(parseAuthLog(pam, readAt('2026-11-22T09:00:01Z')).value.failed).toEqual([]);
    expect(parseAuthLog(failed, readAt('2026-11-22T09:05:00Z')).value.failed.map((f) => f.count)).toEqual([1]);
    // Both in one read: the "Failed" line alone counts.
    expect(parseAuthLog(`${pam}\n${failed}`, readAt('2026-11-22T09:05:00Z')).value.failed).toHaveLength(1);
    // The PAM line alone, its connection long over (no "Failed" line was logged): one attempt.
    expect(parseAuthLog(pam, readAt('2026-11-22T09:30:00Z')).value.failed).toMatchObject([
      { user: 'root', sourceIp: '203.0.113.9', kind: 'pam-failure', count: 1 },
    ]);
  });

  it('reads keyboard-interactive logins, invalid users, attempt limits and pre-auth disconnects', () => {
    const parsed = parseAuthLog(
      [
        'Nov 22 09:00:00 h sshd[1]: Accepted keyboard-interactive/pam for carol from 192.0.2.5 port 4000 ssh2',
        'Nov 22 09:01:00 h sshd[2]: Invalid user ubnt from 203.0.113.1 port 5000',
        'Nov 22 09:01:01 h sshd[2]: Failed password for invalid user ubnt from 203.0.113.1 port 5000 ssh2',
        'Nov 22 09:02:00 h sshd[3]: error: maximum authentication attempts exceeded for root from 203.0.113.2 port 5001 ssh2 [preauth]',
        'Nov 22 09:03:00 h sshd[4]: Connection closed by authenticating user git 203.0.113.3 port 5002 [preauth]',
        'Nov 22 09:03:30 h sshd[4]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.3  user=git',
        'Nov 22 09:04:00 h sshd[5]: Failed publickey for deploy from 203.0.113.4 port 5003 ssh2: RSA SHA256:abc',
      ].join('\n'),
      context,
    );
    expect(parsed.value.accepted).toMatchObject([{ user: 'carol', method: 'keyboard-interactive' }]);
    // MaxAuthTries reached and a PAM failure, each in a connection with no "Failed" line: one attempt each.
    expect(parsed.value.failed.map((f) => [f.user, f.kind])).toEqual([
      ['ubnt', 'invalid-user'],
      ['root', 'max-attempts'],
      ['git', 'pam-failure'],
      ['deploy', 'publickey-refused'],
    ]);
    expect(parsed.value.signals.map((s) => [s.kind, s.user, s.sourceIp])).toEqual([
      ['invalid-user', 'ubnt', '203.0.113.1'],
      ['max-attempts', 'root', '203.0.113.2'],
      ['closed-preauth', 'git', '203.0.113.3'],
    ]);
  });

  it('reads sudo use, refused sudo and su, successful or not', () => {
    const parsed = parseAuthLog(
      [
        'Nov 22 10:00:00 h sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/apt update',
        'Nov 22 10:01:00 h sudo:      bob : user NOT in sudoers ; TTY=pts/1 ; PWD=/home/bob ; USER=root ; COMMAND=/bin/cat /etc/shadow',
        'Nov 22 10:02:00 h su[77]: (to root) alice on pts/0',
        'Nov 22 10:02:00 h su[77]: pam_unix(su:session): session opened for user root(uid=0) by alice(uid=1000)',
        'Nov 22 10:03:00 h su[78]: FAILED SU (to root) bob on pts/1',
      ].join('\n'),
      context,
    );
    expect(parsed.value.privilege.map((p) => [p.tool, p.user, p.asUser, p.command, p.success, p.failure])).toEqual([
      ['sudo', 'alice', 'root', '/usr/bin/apt update', true, null],
      ['sudo', 'bob', 'root', '/bin/cat /etc/shadow', false, 'user NOT in sudoers'],
      ['su', 'alice', 'root', null, true, null],
      ['su', 'bob', 'root', null, false, 'authentication failure'],
    ]);
  });
});

describe('parseAuthLog timestamps', () => {
  it("puts a December line read on New Year's morning in the previous year", () => {
    const parsed = parseAuthLog(
      'Dec 31 23:59:58 web1 sshd[1]: Accepted publickey for alice from 192.0.2.1 port 5000 ssh2: ED25519 SHA256:abc\n',
      {
        windowStart: new Date('2026-12-31T00:00:00Z'),
        windowEnd: new Date('2027-01-01T06:00:00Z'),
        hostNow: new Date('2027-01-01T06:00:00Z'),
        utcOffset: '+0000',
      },
    );
    expect(parsed.value.accepted[0]).toMatchObject({
      time: '2026-12-31T23:59:58.000Z',
      user: 'alice',
      method: 'publickey',
    });
  });

  it("reads classic timestamps in the host's own UTC offset", () => {
    const parsed = parseAuthLog(
      'Jul  4 10:00:00 web1 sshd[1]: Accepted password for bob from 192.0.2.2 port 22 ssh2\n',
      {
        windowStart: new Date('2026-07-04T00:00:00Z'),
        windowEnd: new Date('2026-07-05T00:00:00Z'),
        hostNow: new Date('2026-07-04T12:00:00Z'),
        utcOffset: '+0200',
      },
    );
    expect(parsed.value.accepted[0]?.time).toBe('2026-07-04T08:00:00.000Z');
  });

  it("gives each line the offset of its own date in the host's zone, across a DST change", () => {
    // Europe/Paris moved from +01:00 to +02:00 at 02:00 on 29 March 2026.
    const parsed = parseAuthLog(
      [
        'Mar 29 01:30:00 web1 sshd[1]: Accepted password for before from 192.0.2.1 port 1 ssh2',
        'Mar 29 03:30:00 web1 sshd[2]: Accepted password for after from 192.0.2.2 port 1 ssh2',
        '2026-03-29T03:45:00 web1 sshd[3]: Accepted password for iso from 192.0.2.3 port 1 ssh2',
      ].join('\n'),
      {
        windowStart: new Date('2026-03-28T12:00:00Z'),
        windowEnd: new Date('2026-03-29T12:00:00Z'),
        hostNow: new Date('2026-03-29T12:00:00Z'),
        utcOffset: '+0200', // today's offset: wrong for the first line
        timeZone: 'Europe/Paris',
      },
    );
    expect(parsed.value.accepted.map((a) => [a.user, a.time])).toEqual([
      ['before', '2026-03-29T00:30:00.000Z'],
      ['after', '2026-03-29T01:30:00.000Z'],
      ['iso', '2026-03-29T01:45:00.000Z'],
    ]);
  });

  it('reads the hour repeated when DST ends in file order: first the summer reading, then the winter one', () => {
    // America/New_York went from -04:00 back to -05:00 at 02:00 on 1 November 2026: 01:00-01:59 twice.
    const parsed = parseAuthLog(
      [
        'Nov  1 00:50:00 web1 sshd[1]: Failed password for root from 198.51.100.1 port 1 ssh2',
        'Nov  1 01:30:00 web1 sshd[2]: Failed password for root from 198.51.100.1 port 1 ssh2',
        'Nov  1 01:50:00 web1 sshd[3]: Failed password for root from 198.51.100.1 port 1 ssh2',
        'Nov  1 01:10:00 web1 sshd[4]: Failed password for root from 198.51.100.1 port 1 ssh2',
        'Nov  1 01:40:00 web1 sshd[5]: Failed password for root from 198.51.100.1 port 1 ssh2',
        'Nov  1 02:05:00 web1 sshd[6]: Failed password for root from 198.51.100.1 port 1 ssh2',
      ].join('\n'),
      {
        windowStart: new Date('2026-10-31T12:00:00Z'),
        windowEnd: new Date('2026-11-01T12:00:00Z'),
        hostNow: new Date('2026-11-01T12:00:00Z'),
        utcOffset: '-0500',
        timeZone: 'America/New_York',
      },
    );
    expect(parsed.value.failed.map((f) => f.time)).toEqual([
      '2026-11-01T04:50:00.000Z',
      '2026-11-01T05:30:00.000Z',
      '2026-11-01T05:50:00.000Z',
      '2026-11-01T06:10:00.000Z',
      '2026-11-01T06:40:00.000Z',
      '2026-11-01T07:05:00.000Z',
    ]);
  });

  it('reads a log that runs across New Year into the right years, in the host zone', () => {
    const parsed = parseAuthLog(
      [
        'Dec 31 23:59:58 web1 sshd[1]: Failed password for root from 198.51.100.2 port 1 ssh2',
        'Jan  1 00:00:02 web1 sshd[2]: Failed password for root from 198.51.100.2 port 1 ssh2',
      ].join('\n'),
      {
        windowStart: new Date('2026-12-31T12:00:00Z'),
        windowEnd: new Date('2027-01-01T12:00:00Z'),
        hostNow: new Date('2027-01-01T12:00:00Z'),
        utcOffset: '+0900',
        timeZone: 'Asia/Tokyo',
      },
    );
    expect(parsed.value.failed.map((f) => f.time)).toEqual(['2026-12-31T14:59:58.000Z', '2026-12-31T15:00:02.000Z']);
  });

  it('reads RFC 3339 high-precision timestamps (rsyslog default on newer distributions)', () => {
    const parsed = parseAuthLog(
      '2026-11-22T07:15:02.123456+01:00 web1 sshd-session[991]: Failed password for invalid user oracle from 2001:db8::7 port 40022 ssh2\n',
      {
        windowStart: new Date('2026-11-21T08:00:00Z'),
        windowEnd: new Date('2026-11-22T08:00:00Z'),
        hostNow: new Date('2026-11-22T08:00:00Z'),
        utcOffset: '+0100',
      },
    );
    expect(parsed.value.failed).toEqual([
      { time: '2026-11-22T06:15:02.123Z', user: 'oracle', sourceIp: '2001:db8::7', kind: 'invalid-user', count: 1 },
    ]);
  });
});

describe('parseAuthLog on hostile input', () => {
  const context: AuthLogContext = {
    windowStart: new Date('2026-11-21T00:00:00Z'),
    windowEnd: new Date('2026-11-23T00:00:00Z'),
    hostNow: new Date('2026-11-22T12:00:00Z'),
    utcOffset: '+0000',
  };

  it('takes the real source address when a username contains a fake "from ... port ..."', () => {
    const line =
      'Nov 22 10:00:00 h sshd[1]: Failed password for invalid user x from 6.6.6.6 port 1 ssh2 from 203.0.113.9 port 4242 ssh2';
    const parsed = parseAuthLog(line, context);
    expect(parsed.value.failed[0]).toMatchObject({ sourceIp: '203.0.113.9', user: 'x from 6.6.6.6 port 1 ssh2' });
  });

  it('keeps formula-like and ANSI-laden usernames as plain text', () => {
    const lines = [
      'Nov 22 10:00:01 h sshd[1]: Failed password for invalid user =HYPERLINK("http://evil","x") from 203.0.113.10 port 1 ssh2',
      'Nov 22 10:00:02 h sshd[1]: Failed password for invalid user \u001b[31mred\u001b[0m from 203.0.113.11 port 1 ssh2',
    ].join('\n');
    const users = parseAuthLog(lines, context).value.failed.map((f) => f.user);
    expect(users).toEqual(['=HYPERLINK("http://evil","x")', '\u001b[31mred\u001b[0m']);
  });

  it('survives a 100 KB line, invalid UTF-8 and a truncated line without losing the good lines', () => {
    const garbage = Buffer.concat([
      Buffer.from('Nov 22 10:00:03 h sshd[1]: Failed password for '),
      Buffer.from([0xff, 0xfe, 0xc3]),
      Buffer.from(' from 203.0.113.12 port 1 ssh2'),
    ]).toString('utf8');
    const lines = [
      `Nov 22 10:00:04 h sshd[1]: ${'A'.repeat(100 * 1024)}`,
      garbage,
      'Nov 22 10:00:05 h sshd[1]: Failed password for root from 203.0.1',
      'Nov 22 10:0',
      'Nov 22 10:00:06 h sshd[1]: Accepted publickey for carol from 198.51.100.4 port 50000 ssh2',
    ].join('\n');
    const parsed = parseAuthLog(lines, context);
    expect(parsed.value.accepted.map((a) => a.user)).toEqual(['carol']);
    expect(parsed.value.failed.map((f) => f.sourceIp)).toEqual(['203.0.113.12']);
    expect(parsed.problems.join()).toMatch(/1 auth log line/);
  });

  it('ignores lines from programs other than sshd (a forged "Accepted" from cron)', () => {
    const parsed = parseAuthLog(
      'Nov 22 10:00:07 h CRON[5]: Accepted password for mallory from 203.0.113.13 port 1 ssh2',
      context,
    );
    expect(parsed.value.accepted).toEqual([]);
  });
});

describe('auth log status', () => {
  it('explains an unreadable log with the group that would help', () => {
    const status = parseAuthLogStatus('ir-status unreadable report adm /var/log/auth.log', 'auto');
    expect(status?.status).toBe('unreadable');
    if (status?.status !== 'unreadable') return;
    expect(describeUnreadableLog(status)).toBe('cannot read /var/log/auth.log as user report: add it to group adm');
    expect(describeUnreadableLog({ ...status, group: 'root', path: '/var/log/secure' })).toBe(
      'cannot read /var/log/secure as user report: add it to group adm (or wheel)',
    );
  });
});

describe('finding the auth log', () => {
  it('reads the journal only where there is one: an empty /var/log/journal (journald not running) is no log', () => {
    const journalFiles = ['/var/log/journal', '/run/log/journal'].some(
      (dir) =>
        existsSync(dir) &&
        readdirSync(dir, { withFileTypes: true }).some(
          (d) => d.isDirectory() && readdirSync(path.join(dir, d.name)).some((f) => f.endsWith('.journal')),
        ),
    );
    const journal = existsSync('/run/systemd/journal') || journalFiles;
    const logFile = ['/var/log/auth.log', '/var/log/secure'].some((f) => existsSync(f));
    const output = execFileSync('/bin/sh', ['-c', authLogCommand('auto', null, Date.now() / 1000 - 86400, 'n', 1024)], {
      encoding: 'utf8',
    });
    const status = parseAuthLogStatus(output.split('\n')[0] ?? '', 'auto');
    expect(status?.status).toBe(logFile ? 'ok' : journal ? 'journal' : 'missing');
    if (status?.status === 'missing')
      expect(status.tried).toEqual(['/var/log/auth.log', '/var/log/secure', 'the systemd journal']);
  });
});

describe('the cap on what leaves the host', () => {
  it('sends at most the cap (and a byte) of a log whose new lines exceed it, and the section says it was cut', () => {
    const log = path.join(mkdtempSync(path.join(tmpdir(), 'ir-cap-')), 'auth.log');
    const line = (i: number) => `Dec 10 06:55:46 h sshd[${1000 + i}]: Invalid user u${i} from 203.0.113.9 port 4000\n`;
    writeFileSync(log, Array.from({ length: 5000 }, (_, i) => line(i)).join(''));
    const cap = 16_384;
    const { script, nonce } = buildBatchScript(
      [{ name: 'auth-log', script: authLogCommand(log, null, Date.now() / 1000 - 86400, 'n', cap) }],
      cap,
    );
    const output = execFileSync('/bin/sh', ['-c', script], { encoding: 'utf8' });
    // The status line and the chunk marker, then at most cap + 1 bytes of the log.
    expect(Buffer.byteLength(output)).toBeLessThan(cap + 1024);
    expect(Buffer.byteLength(readFileSync(log))).toBeGreaterThan(10 * cap);
    const section = splitBatchOutput(output, nonce, cap).get('auth-log');
    expect(section?.truncated).toBe(true);
    expect(section?.exitCode).toBe(0);
    expect(section?.text.startsWith('ir-status ok ')).toBe(true);
  });
  it("caps the next day's new lines too: under the cap all of them and only them, over it cut and marked", () => {
    const log = path.join(mkdtempSync(path.join(tmpdir(), 'ir-cap-tail-')), 'auth.log');
    const line = (i: number) => `Dec 10 06:55:46 h sshd[${1000 + i}]: Invalid user u${i} from 203.0.113.9 port 4000\n`;
    const lines = (from: number, count: number) => Array.from({ length: count }, (_, i) => line(from + i)).join('');
    writeFileSync(log, lines(0, 100));
    const cap = 16_384;
    const collect = (position: AuthLogPosition | null) => {
      const { script, nonce } = buildBatchScript(
        [{ name: 'auth-log', script: authLogCommand(log, position, Date.now() / 1000 - 86400, 'n', cap) }],
        cap,
      );
      const output = execFileSync('/bin/sh', ['-c', script], { encoding: 'utf8' });
      const section = splitBatchOutput(output, nonce, cap).get('auth-log');
      const status = parseAuthLogStatus(section?.text.split('\n')[0] ?? '', log);
      if (status?.status !== 'ok') throw new Error(`unexpected status: ${section?.text.slice(0, 200)}`);
      return { section, position: status.position, bytesSent: Buffer.byteLength(output) };
    };
    const first = collect(null);
    // A quiet day: 50 new lines, well under the cap.
    appendFileSync(log, lines(100, 50));
    const quiet = collect(first.position);
    expect(quiet.section?.truncated).toBe(false);
    expect(quiet.section?.text.split('\n').filter((l) => l.includes(' sshd['))).toEqual(
      lines(100, 50).trimEnd().split('\n'),
    );
    // A scanned day: new lines ten times the cap.
    appendFileSync(log, lines(150, 5000));
    const scanned = collect(quiet.position);
    // Cut on the host, not after crossing the network.
    expect(scanned.bytesSent).toBeLessThan(cap + 1024);
    expect(scanned.section?.truncated).toBe(true);
    expect(scanned.section?.text).toContain(line(150).trimEnd());
    expect(scanned.section?.text).not.toContain(line(149).trimEnd());
  });
});
