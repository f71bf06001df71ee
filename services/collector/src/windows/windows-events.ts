import { XMLParser } from 'fast-xml-parser';
import type { AcceptedLogin, AuthSignal, FailedLogin, FailureKind } from '@infra-report/shared';
import { excerpt } from '../probes/parse-result.js';
import { countSshdEvents, type SshdLine } from '../probes/sshd-connections.js';
import { readSshdMessage } from '../probes/sshd-messages.js';

/** One event as Windows renders it (EventRecord.ToXml()): the System part and the named Data. */
export interface WindowsEvent {
  id: number;
  recordId: number;
  channel: string;
  time: Date;
  processId: string;
  data: Record<string, string>;
}

/**
 * The event XML schema (http://schemas.microsoft.com/win/2004/08/events/event): entities are
 * not expanded beyond XML's own five (no DOCTYPE tricks), attributes kept, values as text.
 */
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: true,
  htmlEntities: false,
  isArray: (name) => name === 'Data',
});

type XmlNode = Record<string, unknown>;
const textOf = (node: unknown): string =>
  typeof node === 'string'
    ? node
    : typeof node === 'object' && node !== null
      ? String((node as XmlNode)['#text'] ?? '')
      : '';

/** One event's XML; null with the reason when it is not an event. */
export function parseEventXml(xml: string): { event: WindowsEvent | null; problem: string | null } {
  // Windows never renders a DOCTYPE into an event: one here is someone's entity bomb.
  if (/<!(?:DOCTYPE|ENTITY)/i.test(xml)) return { event: null, problem: 'an event with a DOCTYPE or ENTITY: not read' };
  let root: XmlNode;
  try {
    root = parser.parse(xml, true) as XmlNode;
  } catch (error) {
    return { event: null, problem: `an event that is not XML: ${excerpt((error as Error).message, 120)}` };
  }
  const event = root['Event'] as XmlNode | undefined;
  const system = event?.['System'] as XmlNode | undefined;
  if (!system) return { event: null, problem: `an event without its System part: ${excerpt(xml, 80)}` };
  const id = Number(textOf(system['EventID']));
  const recordId = Number(textOf(system['EventRecordID']));
  const created = system['TimeCreated'] as XmlNode | undefined;
  const time = new Date(String(created?.['@SystemTime'] ?? ''));
  if (!Number.isInteger(id) || !Number.isInteger(recordId) || Number.isNaN(time.getTime()))
    return { event: null, problem: `an event without EventID, EventRecordID or TimeCreated: ${excerpt(xml, 80)}` };
  const data: Record<string, string> = {};
  const eventData = event?.['EventData'] as XmlNode | undefined;
  for (const item of (eventData?.['Data'] as unknown[] | undefined) ?? []) {
    const name = typeof item === 'object' && item !== null ? (item as XmlNode)['@Name'] : undefined;
    if (typeof name === 'string') data[name] = textOf(item).trim();
  }
  // 1102 (log cleared) carries its subject in UserData, not EventData.
  const userData = event?.['UserData'] as XmlNode | undefined;
  const cleared = userData?.['LogFileCleared'] as XmlNode | undefined;
  if (cleared) for (const [key, value] of Object.entries(cleared)) if (!key.startsWith('@')) data[key] = textOf(value);
  const execution = system['Execution'] as XmlNode | undefined;
  return {
    event: {
      id,
      recordId,
      channel: textOf(system['Channel']),
      time,
      processId: String(execution?.['@ProcessID'] ?? ''),
      data,
    },
    problem: null,
  };
}

/** 4625's SubStatus (or Status): why the logon failed, and the kind the report counts it under. */
const failureReasons: Record<string, { reason: string; kind: FailureKind }> = {
  '0xc000006a': { reason: 'bad password', kind: 'wrong-password' },
  '0xc0000064': { reason: 'unknown user', kind: 'invalid-user' },
  '0xc0000234': { reason: 'account locked out', kind: 'not-allowed' },
  '0xc0000072': { reason: 'account disabled', kind: 'not-allowed' },
  '0xc0000193': { reason: 'account expired', kind: 'not-allowed' },
  '0xc0000071': { reason: 'password expired', kind: 'not-allowed' },
  '0xc0000224': { reason: 'password must be changed', kind: 'not-allowed' },
  '0xc000006f': { reason: 'outside allowed logon hours', kind: 'not-allowed' },
  '0xc0000070': { reason: 'workstation not allowed', kind: 'not-allowed' },
  '0xc000015b': { reason: 'logon type not granted', kind: 'not-allowed' },
  '0xc0000133': { reason: 'clocks out of sync', kind: 'other' },
  '0xc000006d': { reason: 'bad user name or password', kind: 'wrong-password' },
};

export function decodeFailure(status: string, subStatus: string): { reason: string; kind: FailureKind } {
  const sub = subStatus.toLowerCase();
  const main = status.toLowerCase();
  return (
    failureReasons[sub] ??
    failureReasons[main] ?? { reason: `status ${status || '?'}/${subStatus || '?'}`, kind: 'other' }
  );
}

/** A source of a 4625/4624: "-" or empty (a local or no-network logon) is no address. */
const sourceOf = (address: string | undefined) => (!address || address === '-' ? '' : address.replace(/^::ffff:/, ''));

/** Logon types that come over the network: 3 network (SMB, WinRM), 10 remote interactive (RDP). */
const remoteLogonTypes = new Set(['3', '10']);

export interface WindowsLogins {
  accepted: AcceptedLogin[];
  failed: (FailedLogin & { reason?: string; logonType?: string })[];
  signals: AuthSignal[];
  /** 1102: who cleared the Security log, and when. */
  cleared: { time: string; user: string }[];
  problems: string[];
}

/** OpenSSH's own line and the type-8 4625 Windows logs for the same failure are this close in time. */
const sameFailureMs = 10_000;

/**
 * Counts the logons of a host's events. OpenSSH failures come from its event 4 lines, read by
 * the sshd message reader the Linux side uses (they carry the real source and user); the 4625
 * Windows logs for the same attempt (logon type 8, no address) is then not counted again.
 */
export function countWindowsLogons(events: WindowsEvent[], window: { start: Date; end: Date }): WindowsLogins {
  const inWindow = events.filter((e) => e.time >= window.start && e.time <= window.end);
  const out: WindowsLogins = { accepted: [], failed: [], signals: [], cleared: [], problems: [] };
  const sshdLines: SshdLine[] = [];
  for (const event of inWindow.filter((e) => e.channel === 'OpenSSH/Operational' && e.id === 4)) {
    const reading = readSshdMessage(event.data['payload'] ?? '');
    if (reading) sshdLines.push({ time: event.time, pid: event.processId, reading, count: 1 });
  }
  const ssh = countSshdEvents(sshdLines, window.end);
  out.accepted.push(...ssh.accepted);
  out.failed.push(...ssh.failed);
  out.signals.push(...ssh.signals);
  out.problems.push(...ssh.problems);
  // Each OpenSSH failure explains at most one type-8 4625 of the same user close in time.
  const unmatched = ssh.failed.map((f) => ({ user: f.user.toLowerCase(), time: Date.parse(f.time), used: false }));
  for (const event of inWindow.filter((e) => e.channel === 'Security')) {
    const d = event.data;
    const time = event.time.toISOString();
    if (event.id === 4625) {
      const user = d['TargetUserName'] ?? '';
      const source = sourceOf(d['IpAddress']);
      if (d['LogonType'] === '8' && source === '') {
        const twin = unmatched.find(
          (f) => !f.used && f.user === user.toLowerCase() && Math.abs(f.time - event.time.getTime()) <= sameFailureMs,
        );
        if (twin) {
          twin.used = true;
          continue;
        }
      }
      const { reason, kind } = decodeFailure(d['Status'] ?? '', d['SubStatus'] ?? '');
      out.failed.push({ time, user, sourceIp: source, kind, count: 1, reason, logonType: d['LogonType'] ?? '' });
    } else if (event.id === 4624 && remoteLogonTypes.has(d['LogonType'] ?? '')) {
      out.accepted.push({
        time,
        user: d['TargetUserName'] ?? '',
        sourceIp: sourceOf(d['IpAddress']),
        port: /^\d+$/.test(d['IpPort'] ?? '') ? Number(d['IpPort']) : null,
        method: d['LogonType'] === '10' ? 'keyboard-interactive' : 'other',
      });
    } else if (event.id === 1102) {
      out.cleared.push({ time, user: d['SubjectUserName'] ?? '?' });
    }
  }
  return out;
}

/**
 * What the events say of the bookmarks: the newest record per channel, and a channel cleared
 * or rolled over past the bookmark (its newest record is below the one read last time).
 */
export function nextBookmarks(
  documentBookmarks: Record<string, number>,
  previous: Record<string, number> | null,
): { bookmarks: Record<string, number>; rolledBack: string[] } {
  const rolledBack = Object.entries(documentBookmarks)
    .filter(([channel, newest]) => previous?.[channel] !== undefined && newest < (previous[channel] ?? 0))
    .map(([channel]) => channel);
  return { bookmarks: { ...(previous ?? {}), ...documentBookmarks }, rolledBack };
}
