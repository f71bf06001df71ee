import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { createServer, type Server } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planRun, silentLogger, type HostSnapshot } from '@infra-report/shared';
import { fleetAddress, fleetConfig, fleetHost, testServices } from '@infra-report/testkit';
import { collectHost } from './collect-host.js';
import { createRunnerFactory } from './open-runner.js';

/**
 * A certificate that expires in five days, as a file on a real host (read with openssl there)
 * and served by a real TLS server on the host's address (read by the collector).
 */
describe('certificates about to expire', () => {
  const dir = path.join(testServices().ssh.logs, 'certificates');
  const address = fleetAddress(2);
  let server: Server;
  let port = 0;
  let snapshot: HostSnapshot;

  beforeAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o755);
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '5',
        '-subj',
        '/CN=soon.example.org',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    chmodSync(path.join(dir, 'cert.pem'), 0o644);
    server = createServer({
      key: readFileSync(path.join(dir, 'key.pem')),
      cert: readFileSync(path.join(dir, 'cert.pem')),
    });
    await new Promise<void>((resolve) => server.listen(0, address, resolve));
    port = (server.address() as { port: number }).port;

    const config = fleetConfig([{ index: 2, name: 'tls-host' }]);
    const base = fleetHost(config, 'tls-host');
    const host = {
      ...base,
      collect: {
        ...base.collect,
        certificates: [
          { path: path.join(dir, 'cert.pem') },
          { path: path.join(dir, 'missing.pem') },
          { port, server_name: 'soon.example.org' },
          { port: 1 },
        ],
      },
    };
    snapshot = await collectHost(host, planRun(config, {}, new Date()).spec, {
      openRunner: createRunnerFactory('/root'),
      influx: undefined,
      now: () => new Date(),
      logger: silentLogger(),
    });
  }, 60_000);
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('reads the file on the host and the TLS port from the collector, and says why one could not be read', () => {
    const byTarget = Object.fromEntries((snapshot.certificates ?? []).map((c) => [c.target, c]));
    const inDays = (iso: string | null | undefined) => (Date.parse(iso ?? '') - Date.now()) / 86_400_000;
    const file = byTarget[path.join(dir, 'cert.pem')];
    expect(file?.subject).toBe('CN=soon.example.org');
    expect(inDays(file?.notAfter)).toBeGreaterThan(4.9);
    expect(inDays(file?.notAfter)).toBeLessThan(5.1);
    const tls = byTarget[`tls:${port} (soon.example.org)`];
    expect(tls?.subject).toBe('CN=soon.example.org');
    expect(tls?.notAfter).toBe(file?.notAfter);
    expect(byTarget[path.join(dir, 'missing.pem')]?.error).toBe('not readable by the SSH user');
    expect(byTarget['tls:1']?.error).toBe('connection refused');
  });
});
