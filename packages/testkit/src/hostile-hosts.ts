import { createServer, type Server as NetServer, type Socket } from 'node:net';
import ssh2 from 'ssh2';
import type { Connection, ServerChannel } from 'ssh2';

/** The ways a host on the network misbehaves, as the collector meets them. */
export const hostileBehaviours = [
  'silent', // accepts TCP and never says anything (hung sshd, tarpit, half-open firewall)
  'garbage-banner', // answers with something that is not SSH
  'close-after-banner', // sends an SSH banner, then closes
  'drip', // sends its banner one byte a second
  'endless-banner', // a banner line that never ends
  'no-common-algorithms', // speaks SSH but offers only algorithms the client does not accept
  'exec-never-answers', // authenticates, then never answers the exec request
  'endless-output', // runs the exec and prints forever
  'reset-mid-output', // prints some output, then resets the TCP connection
] as const;
export type HostileBehaviour = (typeof hostileBehaviours)[number];

export interface HostileHost {
  behaviour: HostileBehaviour;
  address: string;
  port: number;
  /** known_hosts line for hosts that speak SSH (their host key); null for raw TCP ones. */
  knownHostsLine: string | null;
  /** TCP connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

const banner = 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n';

/**
 * ssh2's ed25519 generator yields a key its own parser rejects about once in 256 tries
 * (mscdex/ssh2#1390, #1513: a leading zero byte stripped); draw again until it parses.
 */
function parsableHostKey(): { private: string; public: string } {
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const pair = ssh2.utils.generateKeyPairSync('ed25519');
    if (!(ssh2.utils.parseKey(pair.private) instanceof Error) && !(ssh2.utils.parseKey(pair.public) instanceof Error))
      return pair;
  }
  throw new Error('could not generate a host key that ssh2 parses');
}

/** A real TCP server on a free port that misbehaves in one way; SSH ones are ssh2 servers. */
export async function startHostileHost(behaviour: HostileBehaviour, address = '127.0.0.1'): Promise<HostileHost> {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let accepted = 0;
  const speaksSsh = ['no-common-algorithms', 'exec-never-answers', 'endless-output', 'reset-mid-output'].includes(
    behaviour,
  );
  const hostKey = speaksSsh ? parsableHostKey() : null;
  const sshServer = hostKey
    ? new ssh2.Server(
        {
          hostKeys: [hostKey.private],
          ...(behaviour === 'no-common-algorithms'
            ? { algorithms: { kex: ['diffie-hellman-group1-sha1'], cipher: ['3des-cbc'] } }
            : {}),
        },
        (client) => serveSsh(client, behaviour, timers),
      )
    : null;

  const tcp: NetServer = createServer((socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    if (sshServer) {
      if (behaviour === 'reset-mid-output') resetTargets.set(socket.remotePort ?? 0, socket);
      sshServer.injectSocket(socket);
      return;
    }
    misbehaveRaw(socket, behaviour, timers);
  });
  // reset-mid-output: the SSH connection finds its raw socket by the peer's port.
  const resetTargets = new Map<number, Socket>();
  sshServer?.on('connection', (client: Connection, info: { port: number }) => {
    const raw = resetTargets.get(info.port);
    if (raw) (client as Connection & { rawSocket?: Socket }).rawSocket = raw;
  });

  await new Promise<void>((resolve) => tcp.listen(0, address, resolve));
  const port = (tcp.address() as { port: number }).port;
  return {
    behaviour,
    address,
    port,
    knownHostsLine: hostKey ? `[${address}]:${port} ${hostKey.public.split(' ').slice(0, 2).join(' ')}` : null,
    connections: () => accepted,
    async close() {
      timers.forEach(clearInterval);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
    },
  };
}

function misbehaveRaw(socket: Socket, behaviour: HostileBehaviour, timers: Set<NodeJS.Timeout>): void {
  const every = (ms: number, action: () => void) => {
    const timer = setInterval(() => {
      if (socket.destroyed) clearInterval(timer);
      else action();
    }, ms);
    timers.add(timer);
  };
  switch (behaviour) {
    case 'silent':
      return;
    case 'garbage-banner':
      socket.write('HTTP/1.1 400 Bad Request\r\nServer: not-ssh\r\n\r\n\u0000\u0001\u00ff\u00fe garbage');
      return;
    case 'close-after-banner':
      socket.end(banner);
      return;
    case 'drip': {
      let sent = 0;
      every(1000, () => socket.write(banner[sent++ % banner.length] ?? ''));
      return;
    }
    case 'endless-banner':
      socket.write('SSH-2.0-');
      every(5, () => {
        if (socket.writableLength < 1 << 20) socket.write('A'.repeat(16 * 1024));
      });
      return;
    default:
      socket.destroy();
  }
}

function serveSsh(client: Connection, behaviour: HostileBehaviour, timers: Set<NodeJS.Timeout>): void {
  client.on('error', () => undefined);
  client.on('authentication', (context) => context.accept());
  client.on('ready', () => {
    client.on('session', (acceptSession) => {
      const session = acceptSession();
      session.on('exec', (accept) => {
        if (behaviour === 'exec-never-answers') return; // neither accepted nor refused
        const channel: ServerChannel = accept();
        channel.on('error', () => undefined);
        if (behaviour === 'endless-output') {
          const chunk = Buffer.alloc(64 * 1024, 'x\n');
          const timer = setInterval(() => {
            if (channel.destroyed) return clearInterval(timer);
            while (channel.write(chunk));
          }, 1);
          timers.add(timer);
          return;
        }
        // reset-mid-output: some output, then a TCP reset.
        channel.write('SSH-looking output before the reset\n'.repeat(100));
        const timer = setTimeout(() => {
          const raw = (client as Connection & { rawSocket?: Socket }).rawSocket;
          if (raw) raw.resetAndDestroy();
          else client.end();
        }, 100);
        timers.add(timer);
      });
    });
  });
}
