import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshotToPoints } from '@infra-report/collector';
import { createInfluxStore, ensureInfluxV1Database, type HostSnapshot } from '@infra-report/shared';
import { sampleSnapshot, testInfluxSettings } from '@infra-report/testkit';
import { loadDashboard, panelQueries, substitute } from './dashboards.js';

const day = 86_400_000;

/** A week of daily collections of three hosts in two groups, with logins, a sensor and a growing disk. */
function weekOfSnapshots(now: number): HostSnapshot[] {
  const hosts = [
    { name: 'web01', groups: ['web'] },
    { name: 'web02', groups: ['web', 'edge'] },
    { name: 'db01', groups: ['db'] },
  ];
  return hosts.flatMap(({ name, groups }, h) =>
    [6, 5, 4, 3, 2, 1, 0].map((daysAgo) => {
      const at = now - daysAgo * day - h * 60_000;
      const base = sampleSnapshot(name);
      const grown = (6 - daysAgo) * 2 * 1024 ** 3; // 2 GiB a day on /
      return sampleSnapshot(name, {
        groups,
        collectedAt: new Date(at).toISOString(),
        temperatures: h === 0 ? [{ sensor: 'coretemp_package_id_0', celsius: 48 + daysAgo }] : null,
        filesystems: base.filesystems.map((fs, i) =>
          i === 0
            ? {
                ...fs,
                usedBytes: fs.usedBytes - 12 * 1024 ** 3 + grown,
                availableBytes: fs.availableBytes + 12 * 1024 ** 3 - grown,
              }
            : fs,
        ),
        logins: {
          ...base.logins,
          accepted: base.logins.accepted.map((l) => ({ ...l, time: new Date(at - 3_600_000).toISOString() })),
          failed: base.logins.failed.map((f, i) => ({ ...f, time: new Date(at - 7_200_000 + i * 1000).toISOString() })),
        },
      });
    }),
  );
}

describe('the fleet dashboard (helm/infra-report/files/dashboards/fleet.json)', () => {
  const settings = testInfluxSettings('dashboard');
  const influx = createInfluxStore(settings);
  const variables = {
    timeFilter: 'time > now() - 7d',
    __interval: '1h',
    __range_s: String(7 * 86400),
    group: '(web|db|edge)',
    host: '(web01|web02|db01)',
  };

  beforeAll(async () => {
    await ensureInfluxV1Database(settings);
    const now = Date.now() - 60_000;
    for (const snapshot of weekOfSnapshots(now)) await influx.writePoints(snapshotToPoints(snapshot));
  });
  afterAll(async () => {
    await influx.query(`DROP DATABASE "${settings.bucket}"`).catch(() => undefined);
    await influx.close();
  });

  it('offers the groups, and the hosts of the chosen groups', async () => {
    const dashboard = loadDashboard('fleet');
    const variable = (name: string) => dashboard.templating.list.find((v) => v.name === name)?.query ?? '';
    const values = async (query: string) =>
      (await influx.query(query)).flatMap((s) => s.values.map((row) => String(row[1]))).sort();
    expect(await values(variable('group'))).toEqual(['db', 'edge', 'web']);
    expect(await values(substitute(variable('host'), { group: '(web)' }))).toEqual(['web01', 'web02']);
    expect(await values(substitute(variable('host'), { group: '(db|edge)' }))).toEqual(['db01', 'web02']);
  });

  it('has data in every panel, from the measurements the collector writes', async () => {
    const queries = panelQueries(loadDashboard('fleet'));
    expect(queries.length).toBeGreaterThanOrEqual(13);
    const empty: string[] = [];
    for (const query of queries) {
      const text = substitute(query.text, variables);
      expect(text, `${query.panel}: a variable left unsubstituted`).not.toMatch(/\$\w/);
      const series = await influx.query(text);
      const values = series.flatMap((s) => s.values.flatMap((row) => row.slice(1)));
      if (!values.some((v) => v !== null)) empty.push(`${query.panel} (${query.refId}): ${text}`);
    }
    expect(empty).toEqual([]);
  });

  it('computes days until full from the growth over the range', async () => {
    const query = panelQueries(loadDashboard('fleet')).find((q) => q.panel === 'Days until full');
    const series = await influx.query(substitute(query?.text ?? '', variables));
    const root = series.find((s) => s.tags['host'] === 'web01' && s.tags['path'] === '/');
    const days = Number(root?.values[0]?.[root.columns.indexOf('days_until_full')]);
    // Free at the end: 5 GiB; grown 12 GiB over the 7-day range: 5 / (12 / 7) = 2.9 days.
    expect(days).toBeCloseTo(5 / (12 / 7), 1);
  });

  it('is limited to the chosen hosts', async () => {
    const query = panelQueries(loadDashboard('fleet')).find((q) => q.panel === 'Memory used');
    const series = await influx.query(substitute(query?.text ?? '', { ...variables, host: '(db01)' }));
    expect(series.map((s) => s.tags['host'])).toEqual(['db01']);
  });
});
