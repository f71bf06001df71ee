import pRetry from 'p-retry';
import type { AlertEvent } from '@infra-report/shared';
import {
  acceptAlert,
  alertsAfterSilences,
  flushAlerts,
  refreshAlertmanager,
  type AlertDispatchDependencies,
} from './alert-dispatch.js';

/**
 * Alert notifications in one process (run, watch): the same accept and flush as the mailer's
 * notify queue, with timers instead of delayed jobs and the outbox in report.state_dir. What
 * still fails after a few tries is logged; the alert state keeps it firing (not sent again).
 */
export class AlertDispatcher {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private refreshTimer: NodeJS.Timeout | undefined;
  private silenceTimer: NodeJS.Timeout | undefined;
  private pending: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: AlertDispatchDependencies) {}

  /** Schedules what an earlier process left waiting, and (with Alertmanager) keeps firing alerts fresh. */
  async start(refreshEveryMs?: number, validForMs?: number): Promise<void> {
    for (const { destination, at } of await this.deps.outbox.due()) this.schedule(destination, at);
    this.silenceTimer = setInterval(() => void this.afterSilences(), 15_000);
    this.silenceTimer.unref();
    if (refreshEveryMs && validForMs && this.deps.config.notify.alertmanager) {
      this.refreshTimer = setInterval(() => void this.refresh(validForMs), refreshEveryMs);
      this.refreshTimer.unref();
    }
  }

  async publish(events: AlertEvent[]): Promise<void> {
    for (const event of events) {
      try {
        const due = await pRetry(() => acceptAlert(event, this.deps), { retries: 2, minTimeout: 1000 });
        for (const { destination, at } of due) this.schedule(destination, at);
      } catch (error) {
        this.deps.logger.error({ alert: event.id, err: error }, 'alert not delivered');
      }
    }
  }

  /** Alerts held back by silences that have ended, still firing: told now. */
  async afterSilences(): Promise<void> {
    try {
      await this.publish(await alertsAfterSilences(this.deps));
    } catch (error) {
      this.deps.logger.error({ err: error }, 'cannot read the silences that ended');
    }
  }

  /** Sends everything waiting now, due or not (the end of a run, shutdown). */
  async flushAll(): Promise<void> {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await this.pending;
    for (const { destination, at } of await this.deps.outbox.due()) await this.flush(destination, at);
  }

  /** Posts every firing alert to Alertmanager, valid for validForMs unless posted again. */
  async refresh(validForMs: number): Promise<void> {
    await refreshAlertmanager(this.deps, validForMs).catch((error: Error) =>
      this.deps.logger.error({ err: error }, 'cannot post firing alerts to Alertmanager'),
    );
  }

  async close(): Promise<void> {
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    if (this.silenceTimer) clearInterval(this.silenceTimer);
    await this.flushAll();
  }

  private schedule(destination: string, at: number): void {
    if (this.timers.has(destination)) return;
    const timer = setTimeout(
      () => {
        this.timers.delete(destination);
        this.pending = this.pending.then(() => this.flush(destination, at));
      },
      Math.max(0, at - this.deps.now().getTime()),
    );
    this.timers.set(destination, timer);
  }

  private async flush(destination: string, at: number): Promise<void> {
    await pRetry(() => flushAlerts(destination, at, this.deps), { retries: 2, minTimeout: 1000 }).catch(
      (error: Error) => this.deps.logger.error({ destination, err: error }, 'alert notification not delivered'),
    );
  }
}
