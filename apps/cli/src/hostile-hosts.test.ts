import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as XLSX from 'xlsx';
import {
  fleetConfigYaml,
  knownHostsWith,
  hostileBehaviours,
  runCli,
  startHostileHost,
  type HostileBehaviour,
  type HostileHost,
  runReports,
} from '@infra-report/testkit';

/** What the report must say for each kind of broken host. */
const expectedReason: Record<HostileBehaviour, RegExp> = {
  silent: /accepted the connection but sent no SSH banner within 3 s/,
  'garbage-banner': /timeout: no SSH handshake|does not speak SSH correctly/,
  'close-after-banner': /closed the connection during the SSH handshake/,
  drip: /timeout: no SSH handshake with .* within 3 s/,
  'endless-banner': /does not speak SSH correctly: Header line too long/,
  'no-common-algorithms': /SSH handshake with .* failed: .*no matching/i,
  'exec-never-answers': /did not open a command channel within 3 s/,
  'endless-output': /printed more than \d+ bytes without running the commands/,
  'reset-mid-output': /connection to .* lost while the commands ran/,
};

/**
 * One process, one run: the four healthy sshd hosts and one host of every broken kind, each on a
 * real socket. The run must finish, write the report with every healthy host, and give each
 * broken host its reason; the exit status says that some hosts failed.
 */
describe('infra-report run beside hosts that misbehave', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ir-hostile-'));
  const hostile: HostileHost[] = [];
  let result: Awaited<ReturnType<typeof runCli>>;

  beforeAll(async () => {
    for (const behaviour of hostileBehaviours) hostile.push(await startHostileHost(behaviour));
    const knownHosts = knownHostsWith(
      dir,
      hostile.map((h) => h.knownHostsLine),
    );
    const config = fleetConfigYaml(
      [
        ...[1, 2, 3, 4].map((index) => ({ index, knownHostsFile: knownHosts })),
        ...hostile.map((h) => ({
          index: 0,
          name: h.behaviour,
          address: h.address,
          port: h.port,
          authLog: '/var/log/auth.log',
          knownHostsFile: knownHosts,
        })),
      ],
      [
        'report:',
        `  output_dir: ${dir}/reports`,
        `  outbox_dir: ${dir}/outbox`,
        `  state_dir: ${dir}/state`,
        '  timezone: UTC',
        'collect:',
        '  max_output_bytes: 1048576',
      ].join('\n'),
    ).replace(/connect_timeout_seconds: 5/, 'connect_timeout_seconds: 3');
    writeFileSync(path.join(dir, 'config.yaml'), config);
    result = await runCli(['run', '-c', path.join(dir, 'config.yaml')], {
      env: { REDIS_URL: '', INFLUX_URL: '' },
    });
  }, 120_000);

  afterAll(async () => {
    await Promise.all(hostile.map((h) => h.close()));
  });

  it('survives every kind, reports the healthy hosts and says that some failed in its exit status', () => {
    expect(result.stderr).not.toMatch(/Unhandled|TypeError|at .*\.js:\d+/);
    expect(result.code).toBe(4);
    for (const index of [1, 2, 3, 4]) expect(result.stderr).toMatch(new RegExp(`ok +host${index}`));
    expect(result.stderr).toMatch(/report for .*: 4\/13 hosts reported/);
  });

  it('gives each broken host a reason a sysadmin can act on, in the PDF and the XLSX', () => {
    const { pdfText: text, xlsxFile } = runReports(dir);
    const workbook = XLSX.readFile(xlsxFile);
    const unreachableSheet = JSON.stringify(XLSX.utils.sheet_to_json(workbook.Sheets['Unreachable Hosts']!));
    for (const behaviour of hostileBehaviours) {
      expect(result.stderr, behaviour).toMatch(new RegExp(`FAIL +${behaviour}: .*${expectedReason[behaviour].source}`));
      expect(text).toContain(behaviour);
      expect(unreachableSheet).toContain(behaviour);
    }
    expect(unreachableSheet).toMatch(/no SSH banner within 3 s/);
  });

  it('costs the run about one connect timeout for the dead hosts, not retries with backoff', () => {
    // Healthy hosts take ~1.5 s; the dead ones wait out one 3 s connect timeout in parallel.
    const connects = Object.fromEntries(hostile.map((h) => [h.behaviour, h.connections()]));
    expect(connects['silent']).toBe(1);
    expect(connects['close-after-banner']).toBeLessThanOrEqual(2);
    expect(connects['no-common-algorithms']).toBe(1);
  });
});
