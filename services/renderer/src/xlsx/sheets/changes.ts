import type { ReportModel } from '../../report-model.js';
import { sheets } from '../../report-sections.js';
import { addSheet, type Workbook } from '../workbook.js';

export function sinceYesterdaySheet(workbook: Workbook, model: ReportModel): void {
  const changes = model.sinceYesterday;
  addSheet(
    workbook,
    sheets.sinceYesterday,
    [
      { header: 'Change', width: 26, value: (r: [string, string, string]) => r[0] },
      { header: 'Host', width: 24, value: (r) => r[1] },
      { header: 'Detail', width: 60, value: (r) => r[2] },
    ],
    changes.known
      ? [
          ...changes.newHosts.map((h): [string, string, string] => ['new host', h, '']),
          ...changes.goneHosts.map((h): [string, string, string] => ['host gone', h, '']),
          ...changes.grownDisks.map((d): [string, string, string] => [
            'disk grew',
            d.host,
            `${d.mount}: ${d.from}% → ${d.to}%`,
          ]),
          ...changes.newPorts.map((p): [string, string, string] => [
            'new listening port',
            p.host,
            `${p.port} (${p.addresses.join(', ')})`,
          ]),
          ...changes.newLoginSources.map((l): [string, string, string] => [
            'login from a new address',
            l.host,
            `${l.source} (user ${l.user})`,
          ]),
        ]
      : [['unknown', '', 'no history in InfluxDB to compare with']],
  );
}
