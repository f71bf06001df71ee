import { describe, expect, it } from 'vitest';
import { loadSshdVariants, syslogTime, type SshdVariantTotal } from '@infra-report/testkit';
import { parseAuthLog, splitRepeated, type AuthLogContext, type AuthLogEvents } from './auth-log.js';
import { readSshdMessage, type SshdReading } from './sshd-messages.js';
import { findSecurityIssues } from '../security.js';

const { variants, totals } = loadSshdVariants();
const windowEnd = new Date('2026-11-27T12:00:00Z');
const context: AuthLogContext = {
  windowStart: new Date(windowEnd.getTime() - 86_400_000),
  windowEnd,
  hostNow: windowEnd,
  utcOffset: '+0000',
  timeZone: 'UTC',
};
/** Corpus line i one second after line i-1, within the window. */
const lineTime = (i: number) => new Date(windowEnd.getTime() - 3_600_000 + i * 1000);

/** The corpus's notation for a reading. */
function notation(reading: SshdReading | null, count: number): Record<string, unknown> | null {
  if (!reading) return null;
  const withCount = (r: Record<string, unknown>) => (count === 1 ? r : { ...r, count });
  switch (reading.type) {
    case 'failed':
      return withCount({ failed: reading.kind, user: reading.user, source: reading.source });
    case 'refused':
      return {
        refused: reading.family,
        kind: reading.kind,
        user: reading.user,
        source: reading.source,
        ...(reading.count ? { count: reading.count } : {}),
      };
    case 'probe':
      return reading.user === ''
        ? { probe: reading.kind, source: reading.source }
        : { probe: reading.kind, user: reading.user, source: reading.source };
    case 'accepted':
      return { accepted: reading.method, user: reading.user, source: reading.source };
    case 'address':
      return { address: reading.source };
    default:
      return { unexpected: reading.type };
  }
}

function totalsOf(events: AuthLogEvents): SshdVariantTotal[] {
  const bySource = new Map<string, SshdVariantTotal>();
  const row = (source: string) => {
    const existing = bySource.get(source) ?? { source, attempts: 0, probes: 0 };
    bySource.set(source, existing);
    return existing;
  };
  for (const f of events.failed) row(f.sourceIp).attempts += f.count;
  for (const s of events.signals) if (s.kind !== 'invalid-user') row(s.sourceIp).probes += s.count;
  return [...bySource.values()].sort((a, b) => a.source.localeCompare(b.source));
}
const sortedTotals = [...totals].sort((a, b) => a.source.localeCompare(b.source));

describe('the sshd variants corpus', () => {
  it('holds at least 150 real message variants across the families', () => {
    expect(variants.length).toBeGreaterThanOrEqual(150);
    const families = new Set(variants.map((v) => Object.entries(v.expected ?? { none: '' })[0]?.join(':')));
    expect(families.size).toBeGreaterThan(20);
  });

  it('is read line for line as the corpus says', () => {
    const disagreements = variants
      .map((v) => {
        const { message, count } = splitRepeated(v.message);
        return {
          line: v.lineNumber,
          message: v.message,
          expected: v.expected,
          got: notation(readSshdMessage(message), count),
        };
      })
      .filter((r) => JSON.stringify(r.got) !== JSON.stringify(r.expected));
    expect(disagreements).toEqual([]);
  });

  it('gives the totals per source of the corpus from an RFC 3164 log, and the same from RFC 3339', () => {
    const rfc3164 = variants.map((v, i) => `${syslogTime(lineTime(i))} web1 ${v.tag} ${v.message}`).join('\n');
    const rfc3339 = variants.map((v, i) => `${lineTime(i).toISOString()} web1 ${v.tag} ${v.message}`).join('\r\n');
    const classic = parseAuthLog(rfc3164, context);
    expect(totalsOf(classic.value)).toEqual(sortedTotals);
    expect(totalsOf(parseAuthLog(rfc3339, context).value)).toEqual(sortedTotals);
    // The one attempt whose name holds a second address and has no "Invalid user" line says so.
    expect(classic.problems).toEqual([
      expect.stringContaining('1 failed SSH attempt(s) with a user name that holds another address'),
    ]);
    expect(classic.value.accepted.map((a) => [a.user, a.sourceIp])).toEqual([
      ['git', '192.0.2.27'],
      ['erin', '192.0.2.28'],
      ['alice', '192.0.2.20'],
      ['bob', '2001:db8::20'],
      ['carol', '192.0.2.22'],
      ['dave', '192.0.2.23'],
      ['erin', '192.0.2.24'],
      ['frank', '192.0.2.25'],
      ['gina', '192.0.2.26'],
    ]);
  });

  it('raises the source made only of refusals and SunSSH lines as a brute-force source', () => {
    const text = variants.map((v, i) => `${syslogTime(lineTime(i))} web1 ${v.tag} ${v.message}`).join('\n');
    const logins = parseAuthLog(text, context).value;
    const findings = findSecurityIssues(
      {
        logins: { source: 'test', windowStart: '', windowEnd: '', ...logins },
        suspiciousProcesses: [],
        listening: [],
        backups: [],
        filesystems: [],
      } as unknown as Parameters<typeof findSecurityIssues>[0],
      { bruteForceAttempts: 10, allowedPorts: null },
    );
    expect(findings.filter((f) => f.kind === 'brute-force').map((f) => f.message)).toEqual([
      '14 failed SSH logins from 203.0.113.99',
    ]);
  });
});

describe('hostile auth log lines', () => {
  const at = (i: number) => syslogTime(lineTime(i));
  const parse = (lines: string[]) => parseAuthLog(lines.join('\n'), context);

  it('never moves a count to an address written by the client', () => {
    const forged = '192.0.2.250';
    const lines = [
      `${at(1)} h sshd[1]: Invalid user ${forged} from 198.51.100.7 port 1`,
      `${at(2)} h sshd[2]: Failed password for invalid user x from ${forged} port 22 ssh2 from 198.51.100.7 port 2 ssh2`,
      `${at(3)} h sshd[3]: Failed password for invalid user ${`from ${forged} port 22 ssh2 `.repeat(100)}from 198.51.100.7 port 3 ssh2`,
      `${at(4)} h sshd[4]: Failed password for invalid user ${'A'.repeat(10_000)} from ${forged} port 4 ssh2`,
      `${at(5)} h sshd[5]: Failed password for invalid user n\u0000ul from 198.51.100.7 port 5 ssh2`,
      `${at(6)} h sshd[6]: Failed password for invalid user ${Buffer.from([0xff, 0xfe, 0x41]).toString('utf8')} from 198.51.100.7 port 6 ssh2`,
      `${at(7)} h sshd[7]: Failed password for root from 198.51.100.7 port 7 ssh2: x from ${forged} port 1 ssh2`,
      `${at(8)} h sshd[8]: User root from ${forged} from 198.51.100.7 not allowed because listed in DenyUsers`,
      `${at(9)} h sshd[9]: Accepted password for root from 198.51.100.7 port 9 ssh2: from ${forged}`,
    ];
    const parsed = parse(lines);
    expect(parsed.value.failed.map((f) => f.sourceIp)).toEqual(Array(7).fill('198.51.100.7'));
    expect(parsed.value.accepted.map((a) => a.sourceIp)).toEqual(['198.51.100.7']);
    expect(parsed.value.signals.map((s) => s.sourceIp)).toEqual(['198.51.100.7']);
    // The 10,000-character line is skipped and said so, not searched or counted elsewhere.
    expect(parsed.problems).toEqual([expect.stringContaining('1 auth log line(s) longer than 4096 characters')]);
  });

  it('reads syslog lines written without a host name', () => {
    const parsed = parse([`${at(1)} sshd[77]: Failed password for root from 198.51.100.9 port 1 ssh2`]);
    expect(parsed.value.failed.map((f) => [f.user, f.sourceIp])).toEqual([['root', '198.51.100.9']]);
  });

  it('ignores lines that only look like sshd lines', () => {
    const parsed = parse([
      `${at(1)} h sshd[1]: Failed password for root from 198.51.100.7port 1 ssh2`,
      `${at(2)} h sshd[2]: Failed password for root from <script> port 2 ssh2`,
      `${at(3)} h sshd[3]: Failed password for root`,
      `${at(4)} h sshd[4]: Invalid user`,
      `${at(5)} h sshd[5]: ROOT LOGIN REFUSED FROM`,
      `${at(6)} h cron[6]: Failed password for root from 198.51.100.8 port 6 ssh2`,
      `${at(7)} h sshd[7]: Did not receive identification string from 999.1.1.1 port 1`,
    ]);
    expect(parsed.value.failed).toEqual([]);
    expect(parsed.value.signals).toEqual([]);
  });
});
