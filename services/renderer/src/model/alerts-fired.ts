import { printable, silencedBy, type AlertEvent, type Silence } from '@infra-report/shared';
import type { AlertFiredRow } from './types.js';

/** The window's alert events as report rows, oldest first, with the silence that held each back. */
export function buildAlertsFired(events: AlertEvent[], silences: Silence[]): AlertFiredRow[] {
  return [...events]
    .sort((a, b) => a.at.localeCompare(b.at) || a.host.localeCompare(b.host))
    .map((e) => {
      const silence = silencedBy(silences, e, new Date(e.at));
      return {
        at: new Date(e.at),
        host: printable(e.host, 100),
        state: e.kind === 'recovery' ? 'recovered' : e.escalated ? 'escalated' : 'fired',
        severity: e.severity,
        rule: e.rule,
        message: printable(e.message, 300),
        source: e.source ?? '',
        silenced: silence
          ? printable(
              `until ${silence.endsAt} by ${silence.createdBy}${silence.comment ? `: ${silence.comment}` : ''}`,
              200,
            )
          : null,
      };
    });
}
