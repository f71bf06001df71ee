import type { Logger } from 'pino';

/** A service as main.ts and the one-process commands see it. */
export interface Service {
  start(): Promise<void>;
  /** Idempotent: every call gets the same shutdown. */
  close(): Promise<void>;
}

/** One thing to stop, in order: a worker (it finishes its job in flight), a server, a connection. */
export interface ShutdownStep {
  name: string;
  run(): unknown;
}

/**
 * Shutdown deadlines, each below the chart's termination grace period for the service
 * (collector 180 s, renderer 120 s, mailer 90 s, api 30 s): what is not done by then is cut
 * short here, cleanly logged, before Kubernetes sends SIGKILL.
 */
export const shutdownDeadlineMs = { collector: 170_000, renderer: 110_000, mailer: 80_000, api: 25_000 } as const;

/** A step that overruns the deadline is left behind; those after it still get this long each. */
const afterDeadlineMs = 2000;

/**
 * close() from ordered steps, as BullMQ's Worker.close() does it: the first call starts the
 * shutdown and every call returns its promise; each step runs on its own (one that throws or
 * hangs does not keep the next from running), all within the deadline. It rejects, after all
 * steps, if any failed.
 */
export function orderedClose(logger: Logger, steps: () => ShutdownStep[], deadlineMs: number): () => Promise<void> {
  let closing: Promise<void> | undefined;
  const run = async () => {
    const deadline = Date.now() + deadlineMs;
    const failed: string[] = [];
    for (const step of steps()) {
      const budget = Math.max(deadline - Date.now(), afterDeadlineMs);
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          Promise.resolve().then(() => step.run()),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`not done within ${Math.round(budget / 1000)} s`)), budget);
            timer.unref();
          }),
        ]);
      } catch (error) {
        failed.push(step.name);
        logger.error({ err: error, step: step.name }, 'shutdown step failed');
      } finally {
        clearTimeout(timer);
      }
    }
    if (failed.length > 0) throw new Error(`shutdown steps failed: ${failed.join(', ')}`);
  };
  return () => (closing ??= run());
}

/**
 * A service from its start: `start` wires it and returns its shutdown steps; closing runs them,
 * then quits Redis, in order, within the deadline.
 */
export function serviceOf(
  setup: { logger: Logger; connection: { quit(): Promise<unknown> } },
  deadlineMs: number,
  start: () => Promise<ShutdownStep[]>,
): Service {
  let steps: ShutdownStep[] = [];
  return {
    async start() {
      steps = await start();
    },
    close: orderedClose(
      setup.logger,
      () => [...steps, { name: 'redis', run: () => setup.connection.quit() }],
      deadlineMs,
    ),
  };
}
