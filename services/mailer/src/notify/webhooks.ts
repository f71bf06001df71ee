import type { NotifyWebhook } from '@infra-report/shared';

/** Thrown for a webhook that did not take the message; the job retries. */
export class WebhookError extends Error {
  override name = 'WebhookError';
}

/** Webhooks that want this kind of message about hosts of these groups. */
export function webhooksFor(
  webhooks: NotifyWebhook[],
  event: 'daily' | 'alerts',
  groups: string[] | null,
): { hook: NotifyWebhook; index: number }[] {
  return webhooks
    .map((hook, index) => ({ hook, index }))
    .filter(
      ({ hook }) =>
        hook.events.includes(event) &&
        (hook.groups === null || groups === null || hook.groups.some((g) => groups.includes(g))),
    );
}

/**
 * Posts a message to a Mattermost or Slack incoming webhook (both take {"text"} in Markdown;
 * Mattermost also a username). The URL is a secret: it never appears in an error or a log.
 */
export async function postWebhook(hook: NotifyWebhook, text: string, timeoutMs = 10_000): Promise<void> {
  const body = hook.kind === 'mattermost' ? { text, username: 'infra-report' } : { text, unfurl_links: false };
  let response: Response;
  try {
    response = await fetch(hook.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new WebhookError(`${hook.kind} webhook (${hostOf(hook.url)}) unreachable: ${(error as Error).message}`);
  }
  if (!response.ok) {
    const detail = (await response.text().catch(() => '')).slice(0, 200);
    throw new WebhookError(`${hook.kind} webhook (${hostOf(hook.url)}) answered ${response.status}: ${detail}`);
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'invalid URL';
  }
}
