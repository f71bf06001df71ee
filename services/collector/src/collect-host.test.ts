import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInfluxStore, ensureInfluxV1Database, planRun, silentLogger, type Config } from '@infra-report/shared';
import {
  fleetAddress,
  fleetConfig,
  fleetHost,
  syslogTime,
  testInfluxSettings,
  testServices,
  writeFleetAuthLog,
} from '@infra-report/testkit';
import { collectHost } from './collect-host.js';
import { CollectionError } from './command-runner.js';
import { createRunnerFactory } from './open-runner.js';

const services = testServices();
const openRunner = createRunnerFactory('/root');
const deps = { openRunner, influx: undefined, now: () => new Date(), logger: silentLogger() };

function runFor(config: Config) {
  return planRun(config, {}, new Date()).spec;
}

async function collectFailure(config: Config, name: string): Promise<CollectionError> {
  try {
    await collectHost(fleetHost(config, name), runFor(config), deps);
  } catch (error) {
    if (error instanceof CollectionError) return error;
    throw error;
  }
  throw new Error(`collecting ${name} unexpectedly succeeded`);
}

describe('collectHost over real SSH', () => {
  const now = new Date();
  const ago = (minutes: number) => syslogTime(new Date(now.getTime() - minutes * 60_000));

  beforeAll(() => {
    writeFleetAuthLog('host1', [
      `${syslogTime(new Date(now.getTime() - 30 * 3600_000))} host1 sshd[10]: Accepted password for olduser from 192.0.2.99 port 1 ssh2`,
      `${ago(120)} host1 sshd[11]: Accepted publickey for alice from 192.0.2.10 port 50001 ssh2: ED25519 SHA256:x`,
      `${ago(90)} host1 sshd[12]: Failed password for root from 198.51.100.7 port 40000 ssh2`,
      `${ago(89)} host1 sshd[12]: message repeated 3 times: [ Failed password for root from 198.51.100.7 port 40000 ssh2]`,
      `${ago(60)} host1 CRON[13]: pam_unix(cron:session): session opened for user root`,
      `${ago(30)} host1 sshd[14]: Failed password for invalid user =cmd|' /C calc'!A0 from 203.0.113.5 port 40001 ssh2`,
    ]);
  });

  it("collects the host: filesystems as df -B1 shows them, memory, load and the window's logins", async () => {
    const config = fleetConfig([{ index: 1 }]);
    const snapshot = await collectHost(fleetHost(config, 'host1'), runFor(config), deps);

    // The fleet runs on this machine: df here is what the host itself says.
    const dfRoot =
      execFileSync('df', ['-P', '-B1', '/'], { encoding: 'utf8' }).split('\n')[1]?.trim().split(/\s+/) ?? [];
    const root = snapshot.filesystems.find((fs) => fs.mount === '/');
    expect(root?.sizeBytes).toBe(Number(dfRoot[1]));
    expect(snapshot.sshLatencyMs).toBeGreaterThan(0);
    expect(snapshot.memory?.totalBytes).toBe(
      Number(/MemTotal:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1]) * 1024,
    );
    expect(snapshot.load).not.toBeNull();
    expect(snapshot.uptimeSeconds).toBeGreaterThan(0);
    expect(snapshot.processes?.total).toBeGreaterThan(1);
    expect(snapshot.os.prettyName).toMatch(/Debian/);

    expect(snapshot.logins.accepted.map((l) => [l.user, l.sourceIp, l.method])).toEqual([
      ['alice', '192.0.2.10', 'publickey'],
    ]);
    expect(snapshot.logins.failed.map((f) => [f.user, f.sourceIp, f.count])).toEqual([
      ['root', '198.51.100.7', 1],
      ['root', '198.51.100.7', 3],
      ["=cmd|' /C calc'!A0", '203.0.113.5', 1],
    ]);
    // Without root, other users' processes cannot be looked at, and (on this machine) the kernel
    // log is closed to the test user and no NTP tool runs: said, not hidden.
    const expectedGaps: Record<string, RegExp> = {
      kernel: /not readable as user irtest: add it to group systemd-journal/,
      'clock-sync': /no timedatectl, chronyc or ntpq/,
    };
    for (const gap of snapshot.problems.filter((p) => p.probe in expectedGaps))
      expect(gap.message).toMatch(expectedGaps[gap.probe]!);
    expect(snapshot.problems.filter((p) => !(p.probe in expectedGaps))).toEqual([
      {
        probe: 'processes',
        message: expect.stringMatching(
          /^\d+ process\(es\) could not be inspected \(other users. processes need root\)/,
        ),
        expectedWithoutRoot: true,
      },
    ]);
    expect(snapshot.processes?.running).toBeGreaterThanOrEqual(1);
    expect(snapshot.cpu?.usagePercent).toBeGreaterThanOrEqual(0);
    expect(snapshot.temperatures).toBeNull(); // this VM has no sensor: null, not 0
    expect(snapshot.listening).toContainEqual({ protocol: 'tcp', address: '127.0.0.11', port: 2222 });
    expect(root?.inodesTotal).toBe(
      Number(execFileSync('df', ['-P', '-i', '/'], { encoding: 'utf8' }).split('\n')[1]?.trim().split(/\s+/)[1]),
    );
    expect(snapshot.security.map((f) => f.kind)).toEqual(['invalid-usernames']);
  });

  it('writes Telegraf-named points to InfluxDB', async () => {
    const influxSettings = testInfluxSettings('collect');
    await ensureInfluxV1Database(influxSettings);
    const influx = createInfluxStore(influxSettings);
    const config = fleetConfig([{ index: 1 }]);
    await collectHost(fleetHost(config, 'host1'), runFor(config), { ...deps, influx });
    const disk = await influx.query(
      `SELECT "total", "used_percent" FROM "disk" WHERE "host" = 'host1' AND "path" = '/'`,
    );
    expect(disk[0]?.values).toHaveLength(1);
    const logins = await influx.query(
      `SELECT SUM("attempts") FROM "ssh_login" WHERE "host" = 'host1' AND "result" = 'failed'`,
    );
    expect(logins[0]?.values[0]?.[1]).toBe(5);
    const mem = await influx.query(`SELECT "total" FROM "mem" WHERE "host" = 'host1'`);
    expect(mem[0]?.values).toHaveLength(1);
    await influx.close();
  });

  it('reports an unreadable auth log with the fix, and still collects the rest', async () => {
    writeFleetAuthLog(
      'host2',
      [`${ago(5)} host2 sshd[1]: Accepted password for bob from 192.0.2.20 port 1 ssh2`],
      0o600,
    );
    const config = fleetConfig([{ index: 2 }]);
    const snapshot = await collectHost(fleetHost(config, 'host2'), runFor(config), deps);
    expect(snapshot.filesystems.length).toBeGreaterThan(0);
    expect(snapshot.logins.source).toBeNull();
    expect(snapshot.problems).toContainEqual({
      probe: 'logins',
      message: `cannot read ${path.join(services.ssh.logs, 'host2', 'auth.log')} as user ${services.ssh.user}: add it to group adm (or wheel)`,
    });
  });

  it('refuses a host whose key changed, without retrying', async () => {
    // host1's address, but host2's key on record: what a man-in-the-middle looks like.
    const dir = mkdtempSync(path.join(tmpdir(), 'ir-known-'));
    const host2Key = readFileSync(path.join(services.ssh.dir, 'hosts/host2/ssh_host_ed25519_key.pub'), 'utf8')
      .split(' ')
      .slice(0, 2)
      .join(' ');
    const knownHostsFile = path.join(dir, 'known_hosts');
    writeFileSync(knownHostsFile, `[${fleetAddress(1)}]:${services.ssh.port} ${host2Key}\n`);
    const failure = await collectFailure(fleetConfig([{ index: 1, knownHostsFile }]), 'host1');
    expect(failure.permanent).toBe(true);
    expect(failure.reason).toMatch(
      /^host key changed for host1 \(127\.0\.0\.11:2222\): it presented SHA256:\S+, which does not match/,
    );
  });

  it('refuses a host whose key is unknown', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ir-known-'));
    const knownHostsFile = path.join(dir, 'known_hosts');
    writeFileSync(knownHostsFile, '# empty\n');
    const failure = await collectFailure(fleetConfig([{ index: 1, knownHostsFile }]), 'host1');
    expect(failure.permanent).toBe(true);
    expect(failure.reason).toMatch(/^host key unknown for host1 \(127\.0\.0\.11:2222\)/);
  });

  it('says "connection refused" for an address where no sshd listens, as a retryable failure', async () => {
    const failure = await collectFailure(fleetConfig([{ index: 9, name: 'ghost', address: '127.0.0.99' }]), 'ghost');
    expect(failure.permanent).toBe(false);
    expect(failure.reason).toBe('connection refused by 127.0.0.99:2222 (host ghost): is sshd running on port 2222?');
  });

  it('collects a host through a jump host (ProxyJump), checking both host keys', async () => {
    const config = fleetConfig(
      [{ index: 1 }],
      `groups:\n  fleet: { ssh: { jump_host: "${services.ssh.user}@${fleetAddress(4)}:${services.ssh.port}" } }`,
    );
    const snapshot = await collectHost(fleetHost(config, 'host1'), runFor(config), deps);
    expect(snapshot.host).toBe('host1');
    expect(snapshot.logins.accepted.map((l) => l.user)).toEqual(['alice']);
  });

  it('names the jump host when it is the one that refuses', async () => {
    const config = fleetConfig([{ index: 1 }], 'groups:\n  fleet: { ssh: { jump_host: "127.0.0.98:2222" } }');
    const failure = await collectFailure(config, 'host1');
    expect(failure.reason).toBe(
      'jump host 127.0.0.98:2222 for host1: connection refused by 127.0.0.98:2222 (host 127.0.0.98): is sshd running on port 2222?',
    );
  });

  afterAll(() => {
    writeFleetAuthLog('host2', []);
  });
});
