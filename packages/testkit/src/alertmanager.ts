import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
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
  const child = spawn(
    'prometheus-alertmanager',
    [
      `--config.file=${configFile}`,
      `--storage.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-20_000)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`alertmanager did not start on ${port}:\n${log}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    url,
    async alerts() {
      return (await (await fetch(`${url}/api/v2/alerts`)).json()) as {
        labels: Record<string, string>;
        status: { state: string };
      }[];
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
