import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './services.js';

export interface ServiceProcess {
  name: string;
  child: ChildProcess;
  output: () => string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(timeoutMs?: number): Promise<number | null>;
}

/**
 * Starts a built service (services/<name>/dist/main.js) as its own process and waits until it
 * logs that it is ready.
 */
export async function startService(
  name: string,
  configFile: string,
  env: Record<string, string> = {},
  readyPattern = /"msg":"(\w+ started|api listening)"/,
): Promise<ServiceProcess> {
  const main = path.join(repoRoot, 'services', name, 'dist', 'main.js');
  const child = spawn(process.execPath, [main, configFile], {
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 20 s:\n${output}`)), 20_000);
    const check = () => {
      if (readyPattern.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before it was ready:\n${output}`));
    });
  });
  return {
    name,
    child,
    output: () => output,
    stop(timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`${name} did not exit within ${timeoutMs} ms of SIGTERM:\n${output}`));
        }, timeoutMs);
        child.once('exit', (code) => {
          clearTimeout(timer);
          resolve(code);
        });
        child.kill('SIGTERM');
      });
    },
  };
}

/** Runs the built CLI (apps/cli/bin/infra-report.js) to completion. */
export function runCli(
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'apps/cli/bin/infra-report.js'), ...args], {
      cwd: options.cwd ?? repoRoot,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
