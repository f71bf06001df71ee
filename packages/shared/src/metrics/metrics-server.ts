import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';
import type { Logger } from '../logger.js';

/** What a worker's probes report: alive (restart it if not) and ready (doing its work). */
export interface WorkerHealth {
  /** The worker loop runs (a stopped worker is restarted by the liveness probe). */
  live(): boolean;
  /** The worker runs and Redis answers: it can take jobs. */
  ready(): Promise<boolean>;
}

const probeTimeoutMs = 1000;

/**
 * A worker's HTTP endpoint on its own port (0: any free port, for tests): GET /metrics for
 * Prometheus, GET /healthz and /readyz for Kubernetes' and compose's probes.
 */
export async function startMetricsServer(
  registry: Registry,
  options: { host: string; port: number; health?: WorkerHealth | undefined },
  logger: Logger,
): Promise<Server> {
  const { health } = options;
  const server = createServer((request, response) => {
    const route = (request.url ?? '').split('?')[0];
    const text = (status: number, body: string) =>
      response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(`${body}\n`);
    if (request.method !== 'GET') return text(405, 'GET only');
    if (route === '/healthz') {
      return health && !health.live() ? text(503, 'worker stopped') : text(200, 'ok');
    }
    if (route === '/readyz') {
      if (!health) return text(200, 'ready');
      let timer: NodeJS.Timeout | undefined;
      // Answers within a second even when Redis hangs: a probe must not time out on us.
      void Promise.race([
        health.ready().catch(() => false),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), probeTimeoutMs);
        }),
      ]).then((ready) => {
        clearTimeout(timer);
        if (ready) text(200, 'ready');
        else text(503, 'not ready: worker stopped or Redis not answering');
      });
      return;
    }
    if (route !== '/metrics') return text(404, 'not found: GET /metrics, /healthz or /readyz');
    registry.metrics().then(
      (body) => response.writeHead(200, { 'content-type': registry.contentType }).end(body),
      (error: Error) => {
        logger.error({ err: error }, 'cannot collect metrics');
        text(500, 'metrics unavailable');
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address();
  logger.info({ port: typeof address === 'object' && address ? address.port : options.port }, 'metrics listening');
  return server;
}

/** The usual worker health: its BullMQ workers run, and Redis answers a PING. */
export function workerHealth(workers: { isRunning(): boolean }[], redis: { ping(): Promise<string> }): WorkerHealth {
  const live = () => workers.every((w) => w.isRunning());
  return {
    live,
    async ready() {
      if (!live()) return false;
      return (await redis.ping()) === 'PONG';
    },
  };
}
