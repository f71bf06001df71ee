/**
 * Windows event XML as EventRecord.ToXml() renders it, written from Microsoft's documented event
 * schema (http://schemas.microsoft.com/win/2004/08/events/event) and the documented fields of
 * Security events 4624, 4625 and 1102 and OpenSSH/Operational event 4.
 */
const esc = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

interface SystemPart {
  provider: { name: string; guid?: string };
  id: number;
  recordId: number;
  channel: string;
  computer: string;
  time: Date;
  processId?: number;
  keywords?: string;
}

function system(s: SystemPart): string {
  return [
    '<System>',
    `<Provider Name='${esc(s.provider.name)}'${s.provider.guid ? ` Guid='${s.provider.guid}'` : ''}/>`,
    `<EventID>${s.id}</EventID><Version>0</Version><Level>0</Level><Task>12544</Task><Opcode>0</Opcode>`,
    `<Keywords>${s.keywords ?? '0x8020000000000000'}</Keywords>`,
    `<TimeCreated SystemTime='${s.time.toISOString().replace('Z', '0000Z')}'/>`,
    `<EventRecordID>${s.recordId}</EventRecordID><Correlation/>`,
    `<Execution ProcessID='${s.processId ?? 704}' ThreadID='4716'/>`,
    `<Channel>${esc(s.channel)}</Channel><Computer>${esc(s.computer)}</Computer><Security/>`,
    '</System>',
  ].join('');
}

const securityProvider = {
  name: 'Microsoft-Windows-Security-Auditing',
  guid: '{54849625-5478-4994-a5ba-3e3b0328c30d}',
};

function event(systemXml: string, body: string): string {
  return `<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'>${systemXml}${body}</Event>`;
}

function eventData(fields: Record<string, string>): string {
  return `<EventData>${Object.entries(fields)
    .map(([name, value]) => `<Data Name='${name}'>${esc(value)}</Data>`)
    .join('')}</EventData>`;
}

export interface LogonFailure {
  recordId: number;
  time: Date;
  user: string;
  /** "-" for logons with no network address (OpenSSH's password logons are type 8 with "-"). */
  address: string;
  logonType: number;
  status?: string;
  subStatus?: string;
  computer?: string;
}

/** Security 4625: an account failed to log on. */
export function event4625(f: LogonFailure): string {
  return event(
    system({
      provider: securityProvider,
      id: 4625,
      recordId: f.recordId,
      channel: 'Security',
      computer: f.computer ?? 'WIN-SRV01',
      time: f.time,
      keywords: '0x8010000000000000',
    }),
    eventData({
      SubjectUserSid: 'S-1-5-18',
      SubjectUserName: 'WIN-SRV01$',
      SubjectDomainName: 'WORKGROUP',
      SubjectLogonId: '0x3e7',
      TargetUserSid: 'S-1-0-0',
      TargetUserName: f.user,
      TargetDomainName: 'WIN-SRV01',
      Status: f.status ?? '0xc000006d',
      FailureReason: '%%2313',
      SubStatus: f.subStatus ?? '0xc000006a',
      LogonType: String(f.logonType),
      LogonProcessName: 'NtLmSsp ',
      AuthenticationPackageName: 'NTLM',
      WorkstationName: '-',
      TransmittedServices: '-',
      LmPackageName: '-',
      KeyLength: '0',
      ProcessId: '0x0',
      ProcessName: '-',
      IpAddress: f.address,
      IpPort: f.address === '-' ? '-' : '51234',
    }),
  );
}

/** Security 4624: an account was successfully logged on. */
export function event4624(s: {
  recordId: number;
  time: Date;
  user: string;
  address: string;
  logonType: number;
}): string {
  return event(
    system({
      provider: securityProvider,
      id: 4624,
      recordId: s.recordId,
      channel: 'Security',
      computer: 'WIN-SRV01',
      time: s.time,
    }),
    eventData({
      SubjectUserSid: 'S-1-0-0',
      SubjectUserName: '-',
      SubjectDomainName: '-',
      SubjectLogonId: '0x0',
      TargetUserSid: 'S-1-5-21-1004336348-1177238915-682003330-1001',
      TargetUserName: s.user,
      TargetDomainName: 'WIN-SRV01',
      TargetLogonId: '0x8dcdc',
      LogonType: String(s.logonType),
      LogonProcessName: 'NtLmSsp ',
      AuthenticationPackageName: 'NTLM',
      WorkstationName: 'CLIENT7',
      LogonGuid: '{00000000-0000-0000-0000-000000000000}',
      TransmittedServices: '-',
      LmPackageName: 'NTLM V2',
      KeyLength: '128',
      ProcessId: '0x0',
      ProcessName: '-',
      IpAddress: s.address,
      IpPort: '49852',
      ImpersonationLevel: '%%1833',
    }),
  );
}

/** Security 1102: the audit log was cleared (its subject is in UserData). */
export function event1102(c: { recordId: number; time: Date; user: string }): string {
  return event(
    system({
      provider: { name: 'Microsoft-Windows-Eventlog', guid: '{fc65ddd8-d6ef-4962-83d5-6e5cfe9ce148}' },
      id: 1102,
      recordId: c.recordId,
      channel: 'Security',
      computer: 'WIN-SRV01',
      time: c.time,
      keywords: '0x4020000000000000',
    }),
    `<UserData><LogFileCleared xmlns='http://manifests.microsoft.com/win/2004/08/windows/eventlog'><SubjectUserSid>S-1-5-21-1004336348-1177238915-682003330-500</SubjectUserSid><SubjectUserName>${esc(c.user)}</SubjectUserName><SubjectDomainName>WIN-SRV01</SubjectDomainName><SubjectLogonId>0x6c2a4</SubjectLogonId></LogFileCleared></UserData>`,
  );
}

/** OpenSSH/Operational 4: one line of sshd's log ("payload"), from the sshd process of one connection. */
export function openSshEvent(o: { recordId: number; time: Date; pid: number; line: string }): string {
  return event(
    system({
      provider: { name: 'OpenSSH' },
      id: 4,
      recordId: o.recordId,
      channel: 'OpenSSH/Operational',
      computer: 'WIN-SRV01',
      time: o.time,
      processId: o.pid,
      keywords: '0x4000000000000000',
    }),
    eventData({ process: `sshd.exe`, payload: o.line }),
  );
}

/** The document a Windows host returns: base64 of the JSON between the two marker lines. */
export function windowsDocumentOutput(document: Record<string, unknown>, lineLength = 76): string {
  const body = Buffer.from(JSON.stringify(document), 'utf8').toString('base64');
  const lines = body.match(new RegExp(`.{1,${lineLength}}`, 'g')) ?? [];
  return ['-----BEGIN INFRA-REPORT WINDOWS-----', ...lines, '-----END INFRA-REPORT WINDOWS-----', ''].join('\r\n');
}
