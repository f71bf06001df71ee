import type { AlertEvent, AlertmanagerSettings } from '@infra-report/shared';

/** Thrown when no Alertmanager took the alerts; the job retries. */
export class AlertmanagerError extends Error {
  override name = 'AlertmanagerError';
}

/** One alert in Alertmanager's v2 API (POST /api/v2/alerts). */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL?: string;
}

/**
 * An alert or recovery as Alertmanager takes it. Labels identify the alert (its fingerprint):
 * alertname (the rule), host, subject where there is one, group (the host's first group), and
 * severity. A firing alert ends `validForMs` from now unless posted again (so it resolves by
 * itself if we stop); a recovery ends when it cleared.
 */
export function toPostableAlert(
  event: Pick<AlertEvent, 'kind' | 'host' | 'groups' | 'rule' | 'subject' | 'severity' | 'message' | 'firedAt' | 'at'>,
  now: Date,
  validForMs: number,
  generatorUrl: string | undefined,
): PostableAlert {
  const labels: Record<string, string> = {
    alertname: event.rule,
    host: event.host,
    severity: event.severity,
  };
  if (event.subject) labels['subject'] = event.subject;
  if (event.groups[0]) labels['group'] = event.groups[0];
  return {
    labels,
    annotations: {
      summary: `${event.host}: ${event.message}`,
      description: event.message,
      ...(event.groups.length > 1 ? { groups: event.groups.join(', ') } : {}),
    },
    startsAt: event.firedAt,
    endsAt: event.kind === 'recovery' ? event.at : new Date(now.getTime() + validForMs).toISOString(),
    ...(generatorUrl ? { generatorURL: generatorUrl } : {}),
  };
}

/**
 * Posts alerts to every configured Alertmanager (members of an HA cluster each get all of them,
 * as Prometheus does). It fails only when none took them.
 */
export async function postToAlertmanager(settings: AlertmanagerSettings, alerts: PostableAlert[]): Promise<void> {
  if (alerts.length === 0) return;
  const failures: string[] = [];
  for (const url of settings.urls) {
    try {
      const response = await fetch(`${url}/api/v2/alerts`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(settings.bearerToken ? { authorization: `Bearer ${settings.bearerToken}` } : {}),
        },
        body: JSON.stringify(alerts),
        signal: AbortSignal.timeout(settings.timeoutMs),
      });
      if (response.ok) continue;
      const detail = (await response.text().catch(() => '')).slice(0, 200);
      failures.push(`${hostOf(url)} answered ${response.status}: ${detail}`);
    } catch (error) {
      failures.push(`${hostOf(url)} unreachable: ${(error as Error).message}`);
    }
  }
  if (failures.length === settings.urls.length) throw new AlertmanagerError(`Alertmanager: ${failures.join('; ')}`);
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'invalid URL';
  }
}
