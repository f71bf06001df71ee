import { spawn } from 'node:child_process';

export interface TestDaemon {
  /** The last 20 kB of what it wrote on stderr. */
  log(): string;
  /** SIGTERM, and wait for it to exit. */
  stop(): Promise<void>;
}

/** Starts a server from Debian's packages and waits (30 s at most) until `readyUrl` answers 2xx. */
export async function startDaemon(command: string, args: string[], readyUrl: string): Promise<TestDaemon> {
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-20_000)));
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ready = await fetch(readyUrl).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`${command} did not start:\n${log}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    log: () => log,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}
