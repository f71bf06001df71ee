import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './free-port.js';
import { Redis } from 'ioredis';

export interface PrivateRedis {
  url: string;
  port: number;
  pid(): number;
  /** kill -9 of redis-server: no shutdown save, as a crash or an OOM kill. */
  kill9(): Promise<void>;
  /** Starts redis-server again on the same port and data directory (its AOF is read back). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A redis-server of the test's own (never the shared one on 6379), configured as the README
 * requires for production: AOF with fsync every second, noeviction. Fault tests kill it.
 */
export async function startPrivateRedis(options: { aof?: boolean } = {}): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'ir-redis-'));
  const aof = options.aof ?? true;
  let child: ChildProcess | undefined;
  const url = `redis://127.0.0.1:${port}`;
  const start = async () => {
    child = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--appendonly',
        aof ? 'yes' : 'no',
        '--appendfsync',
        'everysec',
        '--maxmemory-policy',
        'noeviction',
        '--save',
        aof ? '' : '3600 1',
        '--logfile',
        path.join(dir, 'redis.log'),
      ],
      { stdio: 'ignore' },
    );
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
    probe.on('error', () => undefined); // refused until redis-server listens: retried below
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        await probe.connect();
        await probe.ping();
        break;
      } catch {
        if (Date.now() > deadline) throw new Error(`redis-server did not start on ${port}; see ${dir}/redis.log`);
        probe.disconnect();
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    probe.disconnect();
  };
  const exited = () =>
    new Promise<void>((resolve) => {
      if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
    });
  await start();
  return {
    url,
    port,
    pid: () => child?.pid ?? -1,
    async kill9() {
      child?.kill('SIGKILL');
      await exited();
    },
    restart: start,
    async stop() {
      child?.kill('SIGTERM');
      await exited();
    },
  };
}
