import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startDaemon } from './daemon.js';
import { freePort } from './free-port.js';

export interface TestPrometheus {
  url: string;
  /** An instant PromQL query through the HTTP API: the result vector, or the error Prometheus gave. */
  query(
    expr: string,
  ): Promise<{ status: string; error?: string; result: { metric: Record<string, string>; value: [number, string] }[] }>;
  /** Waits until every target of the scrape jobs has been scraped at least once since `after`. */
  waitForScrape(after: Date, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Debian's prometheus, scraping the given jobs every second and loading the given rule files,
 * on a free port with its own data directory.
 */
export async function startPrometheus(
  jobs: Record<string, string[]>,
  ruleFiles: string[] = [],
): Promise<TestPrometheus> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'ir-prometheus-'));
  const configFile = path.join(dir, 'prometheus.yml');
  writeFileSync(
    configFile,
    JSON.stringify({
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      rule_files: ruleFiles,
      scrape_configs: Object.entries(jobs).map(([job, targets]) => ({
        job_name: job,
        static_configs: [{ targets }],
      })),
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const daemon = await startDaemon(
    'prometheus',
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    `${url}/-/ready`,
  );
  const api = async (route: string) => (await (await fetch(`${url}${route}`)).json()) as Record<string, unknown>;
  return {
    url,
    async query(expr) {
      const body = await api(`/api/v1/query?query=${encodeURIComponent(expr)}`);
      const data = body['data'] as { result?: unknown[] } | undefined;
      return {
        status: String(body['status']),
        ...(body['error'] ? { error: String(body['error']) } : {}),
        result: (data?.result ?? []) as { metric: Record<string, string>; value: [number, string] }[],
      };
    },
    async waitForScrape(after, timeoutMs = 20_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const body = await api('/api/v1/targets');
        const targets = ((body['data'] as { activeTargets?: { lastScrape: string; health: string }[] }).activeTargets ??
          []) as { lastScrape: string; health: string }[];
        if (targets.length > 0 && targets.every((t) => Date.parse(t.lastScrape) > after.getTime())) return;
        if (Date.now() > until)
          throw new Error(`targets not scraped since ${after.toISOString()}: ${JSON.stringify(targets)}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    },
    async stop() {
      await daemon.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
