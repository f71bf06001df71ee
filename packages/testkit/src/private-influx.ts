import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './free-port.js';

export interface PrivateInflux {
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** An influxd (Debian's 1.x) of the test's own, on free ports, to stop and start again. */
export async function startPrivateInflux(): Promise<PrivateInflux> {
  const [httpPort, rpcPort] = [await freePort(), await freePort()];
  const dir = mkdtempSync(path.join(tmpdir(), 'ir-influx-'));
  const configFile = path.join(dir, 'influxdb.conf');
  writeFileSync(
    configFile,
    [
      'reporting-disabled = true',
      `bind-address = "127.0.0.1:${rpcPort}"`,
      `[meta]\n  dir = "${dir}/meta"`,
      `[data]\n  dir = "${dir}/data"\n  wal-dir = "${dir}/wal"\n  query-log-enabled = false`,
      `[http]\n  bind-address = "127.0.0.1:${httpPort}"\n  log-enabled = false`,
      '[monitor]\n  store-enabled = false',
      '',
    ].join('\n'),
  );
  const url = `http://127.0.0.1:${httpPort}`;
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn('influxd', ['-config', configFile], { stdio: 'ignore' });
    const deadline = Date.now() + 20_000;
    for (;;) {
      const up = await fetch(`${url}/ping`).then(
        (r) => r.status === 204,
        () => false,
      );
      if (up) return;
      if (Date.now() > deadline) throw new Error(`influxd did not start on ${httpPort}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  await start();
  return {
    url,
    start,
    async stop() {
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child?.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
