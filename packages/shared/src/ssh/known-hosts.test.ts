import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { knownHostsNames, parseKnownHosts, verifyHostKey } from './known-hosts.js';

function keyPair(dir: string, name: string): { line: string; blob: Buffer } {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, name)]);
  const [type, base64] = readFileSync(path.join(dir, `${name}.pub`), 'utf8').split(' ');
  return { line: `${type} ${base64}`, blob: Buffer.from(base64 ?? '', 'base64') };
}

describe('known_hosts', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ir-kh-'));
  const web = keyPair(dir, 'web');
  const other = keyPair(dir, 'other');

  it('matches entries hashed by ssh-keygen -H, with the [host]:port form for other ports', () => {
    const file = path.join(dir, 'known_hosts');
    execFileSync('sh', [
      '-c',
      `echo '[10.0.0.5]:2222 ${web.line}' > ${file} && ssh-keygen -q -H -f ${file} 2>/dev/null`,
    ]);
    const text = readFileSync(file, 'utf8');
    expect(text.startsWith('|1|')).toBe(true);
    const parsed = parseKnownHosts(text);
    expect(verifyHostKey(parsed, knownHostsNames(['10.0.0.5'], 2222), web.blob)).toEqual({ status: 'trusted' });
    expect(verifyHostKey(parsed, knownHostsNames(['10.0.0.5'], 22), web.blob)).toEqual({ status: 'unknown' });
    expect(verifyHostKey(parsed, knownHostsNames(['10.0.0.5'], 2222), other.blob)).toEqual({
      status: 'changed',
      expectedTypes: ['ssh-ed25519'],
    });
  });

  it('honours wildcards, negation and @revoked', () => {
    const parsed = parseKnownHosts(
      `*.example.com,!bad.example.com ${web.line}\n@revoked * ${other.line}\njustonefield\n`,
    );
    expect(verifyHostKey(parsed, ['web1.example.com'], web.blob).status).toBe('trusted');
    expect(verifyHostKey(parsed, ['bad.example.com'], web.blob).status).toBe('unknown');
    expect(verifyHostKey(parsed, ['web1.example.com'], other.blob).status).toBe('revoked');
    expect(parsed.problems).toEqual(['line 3: expected "hosts key-type base64-key"']);
  });
});
