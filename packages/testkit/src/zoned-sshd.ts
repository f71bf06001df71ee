import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { testServices } from './services.js';
import { inMountNamespace, type NamespaceSetup, type ZoneSetup } from './zone-namespace.js';

export interface ZonedSshd {
  address: string;
  port: number;
  /** A known_hosts file with this host's key. */
  knownHostsFile: string;
  /** sshd's own log (-E): with logLevel INFO, one "Accepted publickey" line per connection. */
  logFile: string;
  stop(): Promise<void>;
}

export interface NamespacedSshdOptions extends NamespaceSetup {
  /** sshd's LogLevel (default ERROR). */
  logLevel?: 'ERROR' | 'INFO' | 'VERBOSE';
  /** Serve the SFTP subsystem (internal-sftp). */
  sftp?: boolean;
  /** Run this instead of what the client asks for (sshd's ForceCommand; the request is in SSH_ORIGINAL_COMMAND). */
  forceCommand?: string;
}

/**
 * A real sshd for the test user on `address`:`port`, running in a mount namespace whose /etc
 * says another zone: `date`, the shell and every command the collector runs there see that zone.
 */
export async function startZonedSshd(name: string, address: string, port: number, zone: ZoneSetup): Promise<ZonedSshd> {
  return startNamespacedSshd(name, address, port, { zone });
}

/**
 * A real sshd for the test user on `address`:`port`, in a mount namespace of its own: another
 * zone, files laid over /proc (a host's own load), the SFTP subsystem, its log level.
 */
export async function startNamespacedSshd(
  name: string,
  address: string,
  port: number,
  options: NamespacedSshdOptions,
): Promise<ZonedSshd> {
  const { ssh } = testServices();
  const dir = path.join(ssh.dir, 'zoned', name);
  mkdirSync(dir, { recursive: true });
  const hostKey = path.join(dir, 'ssh_host_ed25519_key');
  execFileSync('sh', ['-c', `[ -f ${hostKey} ] || ssh-keygen -q -t ed25519 -N '' -C ${name} -f ${hostKey}`]);
  const config = path.join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      `Port ${port}`,
      `ListenAddress ${address}`,
      `HostKey ${hostKey}`,
      `PidFile ${path.join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${path.join(ssh.dir, 'authorized_keys')}`,
      'StrictModes no',
      'UsePAM no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      `AllowUsers ${ssh.user}`,
      `LogLevel ${options.logLevel ?? 'ERROR'}`,
      ...(options.sftp ? ['Subsystem sftp internal-sftp'] : []),
      ...(options.forceCommand ? [`ForceCommand ${options.forceCommand}`] : []),
      '',
    ].join('\n'),
  );
  const knownHostsFile = path.join(dir, 'known_hosts');
  const publicKey = readFileSync(`${hostKey}.pub`, 'utf8').split(' ').slice(0, 2).join(' ');
  writeFileSync(knownHostsFile, `[${address}]:${port} ${publicKey}\n`);
  const logFile = path.join(dir, 'sshd.log');
  writeFileSync(logFile, '');
  const argv = inMountNamespace(options, `exec /usr/sbin/sshd -D -f ${config} -E ${logFile}`);
  const child = spawn(argv[0]!, argv.slice(1), { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (let attempt = 0; ; attempt += 1) {
    if (await answersSsh(address, port)) break;
    if (attempt >= 50 || child.exitCode !== null)
      throw new Error(`sshd for ${name} on ${address}:${port} did not start; see ${dir}/sshd.log`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    address,
    port,
    knownHostsFile,
    logFile,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function answersSsh(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('data', (chunk: Buffer) => done(chunk.toString().startsWith('SSH-')));
    socket.once('error', () => done(false));
    socket.setTimeout(1000, () => done(false));
  });
}
