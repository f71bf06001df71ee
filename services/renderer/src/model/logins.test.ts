import { describe, expect, it } from 'vitest';
import { compactLogins } from '@infra-report/shared';
import { sampleSnapshot } from '@infra-report/testkit';
import { noHistory } from '../history.js';
import { buildAcceptedLogins, buildFailedBySource, buildFailedByUser } from './logins.js';

const failed = (
  user: string,
  sourceIp: string,
  count: number,
  kind: 'wrong-password' | 'invalid-user',
  time: string,
) => ({
  time,
  user,
  sourceIp,
  count,
  kind,
});

describe('login section builders', () => {
  const logins = (
    accepted: { time: string; user: string; sourceIp: string }[],
    failures: ReturnType<typeof failed>[],
  ) => ({
    ...sampleSnapshot('x').logins,
    accepted: accepted.map((a) => ({ ...a, port: 22, method: 'publickey' as const })),
    failed: failures,
  });
  const snapshots = [
    sampleSnapshot('h1', {
      logins: logins(
        [{ time: '2026-11-21T10:00:00Z', user: 'alice', sourceIp: '192.0.2.1' }],
        [
          failed('root', '198.51.100.7', 5, 'wrong-password', '2026-11-21T10:00:00Z'),
          failed('admin', '198.51.100.7', 3, 'invalid-user', '2026-11-21T09:00:00Z'),
        ],
      ),
    }),
    sampleSnapshot('h2', {
      logins: logins(
        [
          { time: '2026-11-21T11:00:00Z', user: 'bob', sourceIp: '192.0.2.9' },
          { time: '2026-11-21T08:00:00Z', user: 'bob', sourceIp: '192.0.2.9' },
        ],
        [failed('root', '203.0.113.5', 20, 'wrong-password', '2026-11-21T12:00:00Z')],
      ),
    }),
  ];

  it('adds up failed attempts per host and source, most first, with first and last attempt', () => {
    const rows = buildFailedBySource(snapshots);
    expect(rows.map((r) => [r.host, r.sourceIp, r.attempts, r.invalidUserAttempts, r.probes, r.users])).toEqual([
      ['h2', '203.0.113.5', 20, 0, 0, ['root']],
      ['h1', '198.51.100.7', 8, 3, 0, ['root', 'admin']],
    ]);
    expect(rows[1]?.firstAttempt.toISOString()).toBe('2026-11-21T09:00:00.000Z');
    expect(rows[1]?.lastAttempt.toISOString()).toBe('2026-11-21T10:00:00.000Z');
  });

  it('counts probes per source beside the attempts, and lists a source that only scanned', () => {
    const probing = sampleSnapshot('h3', {
      logins: {
        ...logins([], [failed('root', '198.51.100.7', 2, 'wrong-password', '2026-11-21T10:00:00Z')]),
        signals: [
          { time: '2026-11-21T10:01:00Z', kind: 'closed-preauth', user: 'root', sourceIp: '198.51.100.7', count: 1 },
          { time: '2026-11-21T10:00:00Z', kind: 'invalid-user', user: 'x', sourceIp: '198.51.100.7', count: 1 },
          { time: '2026-11-21T09:00:00Z', kind: 'scan', user: '', sourceIp: '203.0.113.50', count: 1 },
          { time: '2026-11-21T11:00:00Z', kind: 'scan', user: '', sourceIp: '203.0.113.50', count: 1 },
        ],
      },
    });
    const rows = buildFailedBySource([probing]);
    expect(rows.map((r) => [r.sourceIp, r.attempts, r.probes, r.users])).toEqual([
      ['198.51.100.7', 2, 1, ['root']],
      ['203.0.113.50', 0, 2, []],
    ]);
    expect(rows[1]?.firstAttempt.toISOString()).toBe('2026-11-21T09:00:00.000Z');
    expect(rows[1]?.lastAttempt.toISOString()).toBe('2026-11-21T11:00:00.000Z');
  });

  it('adds up failed attempts per user across hosts, counting sources', () => {
    expect(buildFailedByUser(snapshots)).toEqual([
      { user: 'root', attempts: 25, invalid: false, sources: 2, hosts: ['h1', 'h2'] },
      { user: 'admin', attempts: 3, invalid: true, sources: 1, hosts: ['h1'] },
    ]);
  });

  it('lists accepted logins in time order; "first seen" is unknown without history, and once per address with it', () => {
    expect(buildAcceptedLogins(snapshots, noHistory('none')).map((l) => [l.host, l.user, l.firstSeen])).toEqual([
      ['h2', 'bob', null],
      ['h1', 'alice', null],
      ['h2', 'bob', null],
    ]);
    const history = {
      ...noHistory('none'),
      unavailable: null,
      loginHistoryKnown: true,
      knownSourceIps: new Map([['h1', new Set(['192.0.2.1'])]]),
    };
    expect(buildAcceptedLogins(snapshots, history).map((l) => [l.host, l.firstSeen])).toEqual([
      ['h2', true],
      ['h1', false],
      ['h2', false],
    ]);
  });
});

describe('attempts merged per source and user before they reach the renderer', () => {
  it('give the same rows as the attempts one by one, and far fewer entries', () => {
    const sources = ['198.51.100.7', '203.0.113.9', '2001:db8::5'];
    const users = ['root', 'admin', 'oracle', 'test'];
    const failedOneByOne = Array.from({ length: 2000 }, (_, i) =>
      failed(
        users[i % users.length]!,
        sources[i % sources.length]!,
        1 + (i % 3),
        i % 2 ? 'invalid-user' : 'wrong-password',
        new Date(Date.UTC(2026, 11, 5, 6, 0, i)).toISOString(),
      ),
    );
    const signals = Array.from({ length: 300 }, (_, i) => ({
      time: new Date(Date.UTC(2026, 11, 5, 7, 0, i)).toISOString(),
      kind: 'closed-preauth' as const,
      user: '',
      sourceIp: sources[i % sources.length]!,
      count: 1,
    }));
    const raw = sampleSnapshot('edge1', {
      logins: { ...sampleSnapshot('edge1').logins, failed: failedOneByOne, signals },
    });
    const compact = compactLogins(raw);
    expect(compact.logins.failed.length).toBeLessThanOrEqual(sources.length * users.length * 2);
    expect(compact.logins.signals).toHaveLength(sources.length);
    expect(buildFailedBySource([compact])).toEqual(buildFailedBySource([raw]));
    const byUser = (rows: ReturnType<typeof buildFailedByUser>) =>
      rows.map((r) => ({ ...r, hosts: [...r.hosts].sort() }));
    expect(byUser(buildFailedByUser([compact]))).toEqual(byUser(buildFailedByUser([raw])));
    // The count of attempts is kept exactly.
    const attempts = (s: typeof raw) => s.logins.failed.reduce((n, f) => n + f.count, 0);
    expect(attempts(compact)).toBe(attempts(raw));
  });
});
