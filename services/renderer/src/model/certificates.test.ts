import { describe, expect, it } from 'vitest';
import { parseConfig } from '@infra-report/shared';
import { sampleRun, sampleSnapshot } from '@infra-report/testkit';
import { buildReportModel } from '../report-model.js';

describe('certificates in the report', () => {
  const run = sampleRun();
  const end = Date.parse(run.run.windowEnd);
  const days = (n: number) => new Date(end + n * 86_400_000 + 3_600_000).toISOString();
  const withCertificates = (host: string, notAfter: string | null, error: string | null = null) =>
    sampleSnapshot(host, {
      certificates: [{ target: 'tls:443', subject: 'CN=*.example.org', issuer: 'CN=Example CA', notAfter, error }],
    });
  const report = parseConfig('report: { timezone: UTC }\n', 't.yaml', { env: {} }).report;
  const model = buildReportModel(
    {
      ...run,
      snapshots: [
        withCertificates('web1', days(4)),
        withCertificates('web2', days(4)),
        withCertificates('web3', days(15)),
        withCertificates('web4', days(90)),
        withCertificates('web5', days(-2)),
        withCertificates('web6', null, 'connection refused'),
      ],
      failures: [],
    },
    report,
    new Date(end),
  );

  it('grades days left against the thresholds (7 critical, 21 warning), expired and unreadable included', () => {
    expect(model.certificates.map((c) => [c.host, c.daysLeft, c.severity])).toEqual([
      ['web6', null, 'warning'],
      ['web5', -2, 'critical'],
      ['web1', 4, 'critical'],
      ['web2', 4, 'critical'],
      ['web3', 15, 'warning'],
      ['web4', 90, 'ok'],
    ]);
  });

  it('rolls the same certificate with the same end on many hosts up into one finding', () => {
    const titles = model.rollups.filter((r) => r.kind === 'certificate').map((r) => [r.severity, r.title]);
    expect(titles).toEqual([
      ['critical', 'certificate CN=*.example.org expires in 4 day(s), 2026-11-26 08:00: 2 hosts'],
      ['critical', 'certificate tls:443 (CN=*.example.org) expired on 2026-11-20 08:00'],
      ['warning', 'certificate tls:443 (CN=*.example.org) expires in 15 day(s), 2026-12-07 08:00'],
      ['warning', 'certificate tls:443 could not be checked: connection refused'],
    ]);
  });
});
