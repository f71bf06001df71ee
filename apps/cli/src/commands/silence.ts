import { userInfo } from 'node:os';
import { Redis } from 'ioredis';
import {
  alertRuleNames,
  createFileAlertStateStore,
  createRedisAlertStateStore,
  InvalidRequestError,
  isActiveSilence,
  newSilence,
  NotFoundError,
  silenceSeconds,
  type Silence,
} from '@infra-report/shared';
import { loadCliConfig, say } from './load.js';

export interface SilenceOptions {
  config?: string;
  host?: string;
  rule?: string;
  subject?: string;
  for?: string;
  comment?: string;
  list?: boolean;
  expire?: string;
}

function describe(s: Silence, now: Date): string {
  const what = [s.rule ?? 'every rule', s.subject ? `on ${s.subject}` : ''].filter(Boolean).join(' ');
  const state = isActiveSilence(s, now) ? `until ${s.endsAt}` : `ended ${s.endsAt}`;
  return `${s.id}  ${s.host}  ${what}  ${state}  by ${s.createdBy}${s.comment ? `: ${s.comment}` : ''}`;
}

/**
 * Silences immediate alerts without Alertmanager: stored with the alert state (Redis when
 * configured, else report.state_dir), so the services and `watch` honour them at once.
 */
export async function silenceCommand(options: SilenceOptions): Promise<void> {
  const config = loadCliConfig(options.config);
  const redis = config.redis ? new Redis(config.redis.url, { maxRetriesPerRequest: 3, lazyConnect: true }) : undefined;
  const state = redis
    ? createRedisAlertStateStore(redis, config.redis?.prefix ?? 'infra-report')
    : createFileAlertStateStore(config.report.state_dir);
  const now = new Date();
  try {
    if (options.list) {
      const silences = await state.silences();
      if (silences.length === 0) say('no silences');
      for (const s of silences.sort((a, b) => b.startsAt.localeCompare(a.startsAt)))
        process.stdout.write(`${describe(s, now)}\n`);
      return;
    }
    if (options.expire) {
      if (!(await state.expireSilence(options.expire, now))) throw new NotFoundError(`no silence ${options.expire}`);
      say(`silence ${options.expire} ended`);
      return;
    }
    if (!options.host || !options.for)
      throw new InvalidRequestError('silence: --host and --for are needed (or --list, or --expire ID)');
    if (options.rule && !(alertRuleNames as readonly string[]).includes(options.rule))
      throw new InvalidRequestError(`--rule: one of ${alertRuleNames.join(', ')} (got "${options.rule}")`);
    const seconds = silenceSeconds(options.for, '--for');
    const silence = newSilence(
      {
        host: options.host,
        rule: options.rule,
        subject: options.subject,
        durationSeconds: seconds,
        createdBy: userInfo().username,
        comment: options.comment,
      },
      now,
    );
    await state.addSilence(silence);
    process.stdout.write(`${silence.id}\n`);
    say(`silenced: ${describe(silence, now)}`);
  } finally {
    redis?.disconnect();
  }
}
