import { describe, expect, it } from 'vitest';
import { event1102, event4624, event4625, openSshEvent, windowsDocumentOutput } from '@infra-report/testkit';
import { extractWindowsDocument } from './windows-document.js';
import {
  countWindowsLogons,
  decodeFailure,
  nextBookmarks,
  parseEventXml,
  type WindowsEvent,
} from './windows-events.js';

const t0 = Date.parse('2026-12-06T06:00:00Z');
const at = (seconds: number) => new Date(t0 + seconds * 1000);
const window = { start: at(-3600), end: at(86_400) };

function parsed(xmls: string[]): WindowsEvent[] {
  return xmls.map((x) => parseEventXml(x).event!).filter(Boolean);
}

const document = (overrides: Record<string, unknown> = {}) => ({
  version: 1,
  computer: 'WIN-SRV01',
  now: '2026-12-06T07:00:00.000Z',
  boot: '2026-12-01T03:00:00.000Z',
  timezone: 'W. Europe Standard Time',
  os: { caption: 'Microsoft Windows Server 2022 Standard', version: '10.0.20348' },
  disks: [{ device: 'C:', filesystem: 'NTFS', size: 136_363_683_840, free: 98_000_000_000 }],
  events: { Security: [], 'OpenSSH/Operational': [] },
  bookmarks: { Security: 120, 'OpenSSH/Operational': 40 },
  problems: [],
  ...overrides,
});

describe('Windows events (XML as Windows renders it)', () => {
  it('reads a 4625 from its documented fields', () => {
    const { event, problem } = parseEventXml(
      event4625({ recordId: 7, time: at(5), user: 'Administrator', address: '203.0.113.9', logonType: 3 }),
    );
    expect(problem).toBeNull();
    expect(event).toMatchObject({ id: 4625, recordId: 7, channel: 'Security', time: at(5) });
    expect(event?.data).toMatchObject({
      TargetUserName: 'Administrator',
      IpAddress: '203.0.113.9',
      LogonType: '3',
      SubStatus: '0xc000006a',
    });
  });

  it('counts failures per source and user, decodes why, and does not count an SSH failure twice', () => {
    const xml: string[] = [];
    let record = 100;
    // A password spray over SMB from two sources: 3,000 and 1,000 attempts.
    for (let i = 0; i < 3000; i += 1)
      xml.push(
        event4625({ recordId: record++, time: at(i), user: `user${i % 7}`, address: '203.0.113.9', logonType: 3 }),
      );
    for (let i = 0; i < 1000; i += 1)
      xml.push(
        event4625({
          recordId: record++,
          time: at(i),
          user: 'ghost',
          address: '198.51.100.4',
          logonType: 3,
          subStatus: '0xc0000064',
        }),
      );
    // A locked-out account, and a local logon failure (no address).
    xml.push(
      event4625({
        recordId: record++,
        time: at(10),
        user: 'alice',
        address: '192.0.2.7',
        logonType: 3,
        subStatus: '0xc0000234',
      }),
    );
    xml.push(event4625({ recordId: record++, time: at(11), user: 'bob', address: '-', logonType: 2 }));
    // Two SSH password failures: OpenSSH's line with the real source, and Windows' type-8 twin without one.
    for (const [i, user] of [
      [0, 'admin'],
      [1, 'Administrator'],
    ] as const) {
      xml.push(
        openSshEvent({
          recordId: record++,
          time: at(500 + i),
          pid: 4400 + i,
          line: `Failed password for ${user === 'admin' ? 'invalid user ' : ''}${user} from 45.148.10.240 port 5${i}000 ssh2`,
        }),
      );
      xml.push(event4625({ recordId: record++, time: at(500 + i), user, address: '-', logonType: 8 }));
    }
    // An SSH key logon and an RDP logon.
    xml.push(
      openSshEvent({
        recordId: record++,
        time: at(600),
        pid: 4500,
        line: 'Accepted publickey for deploy from 192.0.2.10 port 50022 ssh2: ED25519 SHA256:abc',
      }),
    );
    xml.push(event4624({ recordId: record++, time: at(700), user: 'ops', address: '192.0.2.20', logonType: 10 }));
    // Interactive console logon: not a remote logon.
    xml.push(event4624({ recordId: record++, time: at(701), user: 'ops', address: '-', logonType: 2 }));
    xml.push(event1102({ recordId: record, time: at(800), user: 'Administrator' }));

    const logins = countWindowsLogons(parsed(xml), window);
    const bySource = new Map<string, number>();
    for (const f of logins.failed) bySource.set(f.sourceIp, (bySource.get(f.sourceIp) ?? 0) + f.count);
    expect(Object.fromEntries(bySource)).toEqual({
      '203.0.113.9': 3000,
      '198.51.100.4': 1000,
      '192.0.2.7': 1,
      '': 1,
      '45.148.10.240': 2,
    });
    expect(logins.failed.filter((f) => f.sourceIp === '45.148.10.240').map((f) => [f.user, f.kind])).toEqual([
      ['admin', 'invalid-user'],
      ['Administrator', 'wrong-password'],
    ]);
    expect(logins.failed.find((f) => f.sourceIp === '198.51.100.4')).toMatchObject({
      kind: 'invalid-user',
      reason: 'unknown user',
    });
    expect(logins.failed.find((f) => f.user === 'alice')).toMatchObject({
      kind: 'not-allowed',
      reason: 'account locked out',
    });
    expect(logins.accepted.map((a) => [a.user, a.sourceIp, a.method])).toEqual([
      ['deploy', '192.0.2.10', 'publickey'],
      ['ops', '192.0.2.20', 'keyboard-interactive'],
    ]);
    expect(logins.cleared).toEqual([{ time: at(800).toISOString(), user: 'Administrator' }]);
  });

  it('keeps a type-8 failure that has no OpenSSH line of its own (another service’s cleartext logon)', () => {
    const logins = countWindowsLogons(
      parsed([event4625({ recordId: 1, time: at(1), user: 'svc', address: '-', logonType: 8 })]),
      window,
    );
    expect(logins.failed.map((f) => [f.user, f.sourceIp, f.logonType])).toEqual([['svc', '', '8']]);
  });

  it('decodes the documented status codes, and says which it does not know', () => {
    expect(decodeFailure('0xC000006D', '0xC0000072')).toEqual({ reason: 'account disabled', kind: 'not-allowed' });
    expect(decodeFailure('0xC000006D', '0xC0000193').reason).toBe('account expired');
    expect(decodeFailure('0xc0000001', '0x0')).toEqual({ reason: 'status 0xc0000001/0x0', kind: 'other' });
  });

  it('tells a log cleared or rolled over past the bookmark', () => {
    expect(
      nextBookmarks({ Security: 90, 'OpenSSH/Operational': 50 }, { Security: 120, 'OpenSSH/Operational': 40 }),
    ).toEqual({
      bookmarks: { Security: 90, 'OpenSSH/Operational': 50 },
      rolledBack: ['Security'],
    });
    expect(nextBookmarks({ Security: 5 }, null)).toEqual({ bookmarks: { Security: 5 }, rolledBack: [] });
  });

  it('reads hostile events as problems, never a crash', () => {
    const bomb = `<!DOCTYPE e [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><Event><System><EventID>&b;</EventID></System></Event>`;
    for (const xml of [
      bomb,
      '<Event><System>',
      'not xml at all <<<',
      '<Event><System><EventID>4625</EventID></System></Event>',
      '',
    ]) {
      const result = parseEventXml(xml);
      expect(result.event).toBeNull();
      expect(result.problem).toMatch(/event/);
    }
    // Entities Windows does write (in a user name) are read as text, not markup.
    const named = parseEventXml(
      event4625({ recordId: 1, time: at(1), user: '<script>&"x"', address: '203.0.113.9', logonType: 3 }),
    );
    expect(named.event?.data['TargetUserName']).toBe('<script>&"x"');
  });
});

describe('the Windows document', () => {
  it('is found among what the host printed, whatever its line length, and checked', () => {
    const output = `#< CLIXML\r\nWARNING: something\r\n${windowsDocumentOutput(document(), 64)}PS trailing noise\r\n`;
    const read = extractWindowsDocument(output);
    expect(read.problems).toEqual([]);
    expect(read.value?.disks[0]?.device).toBe('C:');
    expect(extractWindowsDocument(windowsDocumentOutput(document(), 100_000)).value?.computer).toBe('WIN-SRV01');
  });

  it('reads a document of tens of MB (a host under a password spray)', () => {
    const spray = Array.from({ length: 25_000 }, (_, i) =>
      event4625({ recordId: i + 1, time: at(i), user: `u${i % 50}`, address: '203.0.113.9', logonType: 3 }),
    );
    const output = windowsDocumentOutput(document({ events: { Security: spray, 'OpenSSH/Operational': [] } }));
    expect(output.length).toBeGreaterThan(20 * 1024 * 1024);
    const read = extractWindowsDocument(output);
    expect(read.value?.events['Security']).toHaveLength(25_000);
    const logins = countWindowsLogons(parsed(read.value!.events['Security']!), window);
    expect(logins.failed.reduce((n, f) => n + f.count, 0)).toBe(25_000);
  });

  it('says what is wrong with a document it cannot use', () => {
    const cases: [string, RegExp][] = [
      ['no markers here', /no document in the output/],
      ['-----BEGIN INFRA-REPORT WINDOWS-----\r\neyJ2', /no end marker/],
      ['-----BEGIN INFRA-REPORT WINDOWS-----\r\n%%%\r\n-----END INFRA-REPORT WINDOWS-----', /not base64/],
      [
        `-----BEGIN INFRA-REPORT WINDOWS-----\r\n${Buffer.from('{"version":').toString('base64')}\r\n-----END INFRA-REPORT WINDOWS-----`,
        /not JSON/,
      ],
      [windowsDocumentOutput({ ...document(), version: 2 }), /version/],
      [windowsDocumentOutput({ ...document(), disks: [{ device: 'C:', size: -1 }] }), /disks\.0/],
    ];
    for (const [output, problem] of cases) {
      const read = extractWindowsDocument(output);
      expect(read.value).toBeNull();
      expect(read.problems.join(' ')).toMatch(problem);
    }
  });
});
