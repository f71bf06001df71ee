import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startDaemon } from './daemon.js';
import { freePort } from './free-port.js';

export interface TestAlertmanager {
  url: string;
  /** The alerts Alertmanager holds now (GET /api/v2/alerts). */
  alerts(): Promise<{ labels: Record<string, string>; status: { state: string } }[]>;
  stop(): Promise<void>;
}

/**
 * Debian's prometheus-alertmanager on a free port, clustering off, one route that groups by
 * `groupBy` with second-long waits and sends to a webhook receiver (send_resolved).
 */
export async function startAlertmanager(webhookUrl: string, groupBy: string[]): Promise<TestAlertmanager> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'ir-alertmanager-'));
  const configFile = path.join(dir, 'alertmanager.yml');
  writeFileSync(
    configFile,
    JSON.stringify({
      route: {
        receiver: 'test',
        group_by: groupBy,
        group_wait: '1s',
        group_interval: '2s',
        repeat_interval: '1h',
      },
      receivers: [{ name: 'test', webhook_configs: [{ url: webhookUrl, send_resolved: true }] }],
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const daemon = await startDaemon(
    'prometheus-alertmanager',
    [
      `--config.file=${configFile}`,
      `--storage.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
    ],
    `${url}/-/ready`,
  );
  return {
    url,
    async alerts() {
      return (await (await fetch(`${url}/api/v2/alerts`)).json()) as {
        labels: Record<string, string>;
        status: { state: string };
      }[];
    },
    async stop() {
      await daemon.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
