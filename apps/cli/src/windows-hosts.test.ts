import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as XLSX from 'xlsx';
import {
  event1102,
  event4624,
  event4625,
  fleetConfigYaml,
  openSshEvent,
  runCli,
  startService,
  startTestSmtpServer,
  startWindowsHost,
  testServices,
  uniqueName,
  type ServiceProcess,
  type TestWindowsHost,
  runReports,
} from '@infra-report/testkit';

/**
 * A Windows host beside a Linux one, through `infra-report run`: a real sshd playing OpenSSH for
 * Windows (the script arrives as powershell.exe -EncodedCommand; the document it prints was built
 * here from events in Microsoft's XML form: a password spray over SMB, SSH failures with their
 * type-8 twins, an RDP logon, a cleared log, an event that is not XML).
 */
describe('Windows hosts', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ir-windows-'));
  let win: TestWindowsHost;
  const now = Date.now();
  const at = (minutesAgo: number, seconds = 0) => new Date(now - minutesAgo * 60_000 + seconds * 1000);
  let configFile: string;
  let firstDocument: Record<string, unknown> = {};

  const document = (events: Record<string, string[]>, bookmarks: Record<string, number>) => ({
    version: 1,
    computer: 'WIN-SRV01',
    now: new Date(now).toISOString(),
    boot: new Date(now - 3 * 86400_000).toISOString(),
    timezone: 'W. Europe Standard Time',
    os: { caption: 'Microsoft Windows Server 2022 Standard', version: '10.0.20348' },
    disks: [
      { device: 'C:', filesystem: 'NTFS', size: 136_363_683_840, free: 13_636_368_384 },
      { device: 'D:', filesystem: 'ReFS', size: 1_099_511_627_776, free: 824_633_720_832 },
    ],
    services: ['wuauserv'],
    events,
    bookmarks,
    problems: ['failure auditing of logons is off: failed logons are not logged'],
  });

  beforeAll(async () => {
    win = await startWindowsHost('win-srv01', '127.0.0.40', 2231);
    const security: string[] = [];
    const openSsh: string[] = [];
    let record = 5000;
    for (let i = 0; i < 2000; i += 1)
      security.push(
        event4625({ recordId: record++, time: at(200, i), user: `user${i % 9}`, address: '203.0.113.9', logonType: 3 }),
      );
    for (let i = 0; i < 300; i += 1)
      security.push(
        event4625({
          recordId: record++,
          time: at(150, i),
          user: 'ghost',
          address: '198.51.100.4',
          logonType: 3,
          subStatus: '0xc0000064',
        }),
      );
    for (let i = 0; i < 5; i += 1) {
      openSsh.push(
        openSshEvent({
          recordId: 900 + i,
          time: at(100, i * 10),
          pid: 7000 + i,
          line: `Failed password for Administrator from 45.148.10.240 port ${50000 + i} ssh2`,
        }),
      );
      security.push(
        event4625({ recordId: record++, time: at(100, i * 10), user: 'Administrator', address: '-', logonType: 8 }),
      );
    }
    security.push(event4624({ recordId: record++, time: at(60), user: 'ops', address: '192.0.2.20', logonType: 10 }));
    security.push(event1102({ recordId: record++, time: at(30), user: 'Administrator' }));
    security.push('<Event><System><EventID>4625</Event>');
    firstDocument = document(
      { Security: security, 'OpenSSH/Operational': openSsh },
      { Security: record - 1, 'OpenSSH/Operational': 904 },
    );
    win.setDocument(firstDocument, '#< CLIXML\r\n');
    configFile = path.join(dir, 'config.yaml');
    writeFileSync(
      configFile,
      fleetConfigYaml(
        [
          { index: 3 },
          { index: 0, name: 'win-srv01', address: win.address, port: win.port, knownHostsFile: win.knownHostsFile },
        ],
        [
          'groups: { windows: { platform: windows } }',
          'report:',
          `  output_dir: ${dir}/reports`,
          `  state_dir: ${dir}/state`,
          '  timezone: UTC',
        ].join('\n'),
      ).replace(
        `- name: win-srv01\n    address: ${win.address}\n    groups: [fleet]`,
        `- name: win-srv01\n    address: ${win.address}\n    groups: [windows]`,
      ),
    );
  });
  afterAll(async () => {
    await win?.stop();
  });

  function report() {
    const { pdfText: pdf, xlsxFile } = runReports(dir);
    const book = XLSX.readFile(xlsxFile);
    const sheet = (name: string) => XLSX.utils.sheet_to_json<Record<string, unknown>>(book.Sheets[name]!);
    return { pdf, sheet };
  }

  it('collects it beside a Linux host: drives, uptime, exact failed logons per source, no SSH failure counted twice', async () => {
    const result = await runCli(['run', '-c', configFile], { env: { REDIS_URL: '', INFLUX_URL: '' } });
    expect(result.stderr).not.toMatch(/Unhandled|TypeError/);
    expect(result.code).toBe(0);
    expect(win.commands()[0]).toMatch(/^powershell\.exe -NoProfile -NonInteractive -EncodedCommand [A-Za-z0-9+/=]+$/);
    expect(win.scripts()[0]).toContain('TimeCreated[@SystemTime>=');
    const { pdf, sheet } = report();
    const failed = sheet('Failed Logins').filter((r) => r['Host'] === 'win-srv01');
    // Exactly these: the five type-8 failures without an address are the SSH failures, counted once.
    expect(Object.fromEntries(failed.map((r) => [r['Source'], r['Attempts']]))).toEqual({
      '203.0.113.9': 2000,
      '198.51.100.4': 300,
      '45.148.10.240': 5,
    });
    expect(failed.find((r) => r['Source'] === '198.51.100.4')?.['Invalid-user attempts']).toBe(300);
    expect(sheet('Uptime').find((r) => r['Host'] === 'win-srv01')).toMatchObject({
      OS: 'Microsoft Windows Server 2022 Standard 10.0.20348',
      'Uptime (days)': 3,
    });
    const disks = sheet('Disk Usage').filter((r) => r['Host'] === 'win-srv01');
    expect(disks.map((d) => d['Mount'])).toEqual(['C:', 'D:']);
    expect(pdf).toContain('Microsoft Windows Server 2022 Standard 10.0.20348');
    expect(pdf).toMatch(/the Security log was cleared by Administrator/);
    expect(pdf).toContain('failure auditing of logons is off');
    expect(pdf).toMatch(/an event without|an event that is not XML/);
    expect(pdf).toMatch(/host3/);
    // What Windows hosts do not give is said for all of them (in Processes and the appendix), not per host.
    expect(pdf.match(/1 Windows host\(s\): drives, uptime/g)).toHaveLength(2);
  });

  it('reads after the bookmarks the next time, and keeps the window’s counts', async () => {
    win.setDocument(
      document({ Security: [], 'OpenSSH/Operational': [] }, { Security: 7307, 'OpenSSH/Operational': 904 }),
    );
    const result = await runCli(['run', '-c', configFile], { env: { REDIS_URL: '', INFLUX_URL: '' } });
    expect(result.code).toBe(0);
    // The newest records of the first collection (5000 + 2,307 events, the last one 7306).
    expect(win.scripts().at(-1)).toContain('EventRecordID > 7306');
    expect(win.scripts().at(-1)).toContain('EventRecordID > 904');
    const failed = report()
      .sheet('Failed Logins')
      .filter((r) => r['Host'] === 'win-srv01');
    expect(failed.reduce((n, r) => n + Number(r['Attempts']), 0)).toBe(2305);
  });

  it('is collected by the services too (a collect job), and its report mailed', async () => {
    const services = testServices();
    const smtp = await startTestSmtpServer();
    const redis = new Redis(services.redisUrl);
    const prefix = uniqueName('ir-windows');
    const servicesConfig = path.join(dir, 'services.yaml');
    writeFileSync(
      servicesConfig,
      readFileSync(configFile, 'utf8') +
        [
          `redis: { url: "${services.redisUrl}", prefix: ${prefix} }`,
          `smtp: { host: 127.0.0.1, port: ${smtp.port}, from: "infra-report <reports@example.com>", to: [ops@example.com] }`,
          'metrics: { host: 127.0.0.1, collector_port: 0, renderer_port: 0, mailer_port: 0 }',
          '',
        ].join('\n'),
    );
    // A first collection through the services: no bookmark in Redis yet, the whole document counts.
    win.setDocument(firstDocument);
    const running: ServiceProcess[] = [];
    try {
      for (const name of ['collector', 'renderer', 'mailer'])
        running.push(await startService(name, servicesConfig, { METRICS_PORT: '0' }));
      const trigger = await runCli(['trigger', '-c', servicesConfig]);
      expect(trigger.stderr).toMatch(/enqueued: 2 host\(s\)/);
      const [mail] = await smtp.waitForMessages(1, 90_000);
      const xlsx = mail?.attachments.find((a) => a.filename?.endsWith('.xlsx'));
      const book = XLSX.read(xlsx!.content);
      const failed = XLSX.utils
        .sheet_to_json<Record<string, unknown>>(book.Sheets['Failed Logins']!)
        .filter((r) => r['Host'] === 'win-srv01');
      expect(Object.fromEntries(failed.map((r) => [r['Source'], r['Attempts']]))).toEqual({
        '203.0.113.9': 2000,
        '198.51.100.4': 300,
        '45.148.10.240': 5,
      });
      // The bookmarks are kept in Redis for the next collection.
      expect(await redis.get(`${prefix}:windows-events:win-srv01`)).toContain('"Security":7306');
    } finally {
      await Promise.all(running.map((p) => p.stop()));
      await smtp.close();
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    }
  });

  it('is checked by check-config with PowerShell’s version', async () => {
    const result = await runCli(['check-config', '-c', configFile]);
    expect(result.stderr).toMatch(/ok +win-srv01 \[windows\]/);
  });
});
