import { randomUUID } from 'node:crypto';
import { InvalidRequestError } from '../errors.js';

/** A silence: matching alerts are kept (and shown in the report) but not notified until it ends. */
export interface Silence {
  id: string;
  /** A host name, or a pattern with * (any characters): "web*", "*". */
  host: string;
  /** A rule name; null: every rule. */
  rule: string | null;
  /** A rule's subject ("/var", a source address); null: every subject. */
  subject: string | null;
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
}

export interface SilenceRequest {
  host: string;
  rule?: string | null | undefined;
  subject?: string | null | undefined;
  durationSeconds: number;
  createdBy?: string | undefined;
  comment?: string | undefined;
}

/** Silences are kept this long after they end, so a report can still say what was silenced. */
export const silenceKeepMs = 35 * 86400_000;

export function newSilence(request: SilenceRequest, now: Date): Silence {
  return {
    id: randomUUID(),
    host: request.host,
    rule: request.rule ?? null,
    subject: request.subject ?? null,
    startsAt: now.toISOString(),
    endsAt: new Date(now.getTime() + request.durationSeconds * 1000).toISOString(),
    createdBy: request.createdBy ?? 'unknown',
    comment: request.comment ?? '',
  };
}

function hostMatches(pattern: string, host: string): boolean {
  if (!pattern.includes('*')) return pattern === host;
  const expression = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${expression}$`).test(host);
}

/** The silence that covers this alert at this instant, if any. */
export function silencedBy(
  silences: Silence[],
  alert: { host: string; rule: string; subject: string },
  at: Date,
): Silence | undefined {
  const t = at.getTime();
  return silences.find(
    (s) =>
      Date.parse(s.startsAt) <= t &&
      t < Date.parse(s.endsAt) &&
      hostMatches(s.host, alert.host) &&
      (s.rule === null || s.rule === alert.rule) &&
      (s.subject === null || s.subject === alert.subject),
  );
}

export const isActiveSilence = (s: Silence, at: Date) =>
  Date.parse(s.startsAt) <= at.getTime() && at.getTime() < Date.parse(s.endsAt);

/** "4h", "30m", "1h30m", "2d", "90s" as seconds; null when it is not such a duration. */
export function parseDuration(text: string): number | null {
  const match = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text.trim());
  if (!match || text.trim() === '') return null;
  const [, d, h, m, s] = match.map((part) => Number(part ?? 0));
  const seconds = (d ?? 0) * 86400 + (h ?? 0) * 3600 + (m ?? 0) * 60 + (s ?? 0);
  return seconds > 0 ? seconds : null;
}

/** Silences last at most this long: a forgotten one must not hide a fleet for good. */
export const maxSilenceSeconds = 90 * 86400;

/** A silence's length from what a person typed; a clear error naming `field` otherwise. */
export function silenceSeconds(text: string, field: string): number {
  const seconds = parseDuration(text);
  if (seconds === null || seconds > maxSilenceSeconds)
    throw new InvalidRequestError(`${field}: a duration such as 30m, 4h or 2d, at most 90d (got "${text}")`);
  return seconds;
}
