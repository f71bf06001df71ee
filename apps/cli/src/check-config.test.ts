import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fleetConfigYaml, runCli } from '@infra-report/testkit';

describe('infra-report check-config', () => {
  it('connects to every host and says, per host, what is wrong', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ir-check-'));
    const knownHosts = path.join(dir, 'empty_known_hosts');
    writeFileSync(knownHosts, '');
    const file = path.join(dir, 'fleet.yaml');
    writeFileSync(
      file,
      fleetConfigYaml([
        { index: 1 },
        { index: 2, name: 'stranger', knownHostsFile: knownHosts },
        { index: 9, name: 'down', address: '127.0.0.97' },
      ]),
    );
    const result = await runCli(['check-config', '-c', file], { env: { REDIS_URL: '', INFLUX_URL: '' } });
    expect(result.code).toBe(4); // some hosts cannot be collected
    expect(result.stderr).toContain(`${file}: valid, 3 host(s)`);
    expect(result.stderr).toMatch(/ok\s+host1 irtest@127\.0\.0\.11:2222 in \d+ ms/);
    expect(result.stderr).toMatch(
      /FAIL\s+stranger: host key unknown for stranger \(127\.0\.0\.12:2222\): SHA256:\S+ is not in /,
    );
    expect(result.stderr).toContain(
      'FAIL  down: connection refused by 127.0.0.97:2222 (host down): is sshd running on port 2222?',
    );
    expect(result.stderr).toContain('2 of 3 host(s) cannot be collected');
  });
});
