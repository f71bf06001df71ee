/**
 * One process of the host farm (host-farm.ts): an ssh2 server behind one listening socket per
 * loopback address, answering infra-report's batch (`/bin/sh -s`, the script on stdin) with the
 * sections a real host answered, recorded once. Started with fork(); its settings arrive as the
 * first IPC message, and it answers "ready" when every address listens.
 */
import net from 'node:net';
import ssh2 from 'ssh2';
import type { FarmProfile, FarmWorkerSettings } from './host-farm.js';

const { Server, utils } = ssh2;

function answer(script: string, profile: FarmProfile): string | null {
  const nonce = /@@ir-([0-9a-f]+)@@/.exec(script)?.[1];
  if (!nonce) return null;
  const marker = `@@ir-${nonce}@@`;
  const names = [...script.matchAll(/begin ([a-z0-9-]+)\\n/g)].map((m) => m[1]!);
  const recorded = new Map(profile.sections.map((s) => [s.name, s]));
  const parts = [`${marker} start\n`];
  for (const name of names) {
    const section = recorded.get(name);
    // The host's clock is read now, as a real host's would be.
    const text =
      name === 'clock' && section
        ? section.text.replace(/^\d+ [+-]\d{4}/, `${Math.floor(Date.now() / 1000)} +0000`)
        : (section?.text ?? '');
    parts.push(`${marker} begin ${name}\n${text}\n${marker} end ${name} ${section ? section.exitCode : 127}\n`);
  }
  return parts.join('');
}

function serve(settings: FarmWorkerSettings): Promise<void> {
  const allowed = utils.parseKey(settings.clientPublicKey);
  if (allowed instanceof Error) throw allowed;
  let served = 0;
  // The profile follows the address the collector dialled.
  const profileByAddress = new Map(settings.addresses.map((address, i) => [address, settings.profileOf[i] ?? 0]));
  const server = new Server({ hostKeys: [settings.hostKey] }, (client) => {
    const local = (client as unknown as { _sock?: net.Socket })._sock?.localAddress ?? '';
    const profile: FarmProfile | undefined = settings.profiles[profileByAddress.get(local) ?? 0];
    client.on('authentication', (ctx) => {
      const key = ctx.method === 'publickey' ? ctx.key : undefined;
      if (
        !key ||
        key.algo !== allowed.type ||
        !key.data.equals(allowed.getPublicSSH()) ||
        (ctx.method === 'publickey' && ctx.signature && !allowed.verify(ctx.blob!, ctx.signature, ctx.hashAlgo))
      )
        return ctx.reject(['publickey']);
      ctx.accept();
    });
    client.on('ready', () => {
      client.on('session', (accept) => {
        const session = accept();
        session.on('exec', (acceptExec, _reject, info) => {
          const channel = acceptExec();
          const chunks: Buffer[] = [];
          channel.on('data', (chunk: Buffer) => chunks.push(chunk));
          channel.on('end', () => {
            const script = Buffer.concat(chunks).toString('utf8');
            const output = info.command.includes('sh') && profile ? answer(script, profile) : null;
            served += 1;
            if (output === null) {
              channel.stderr.write(`host farm: cannot answer ${info.command}\n`);
              channel.exit(127);
            } else {
              channel.write(output);
              channel.exit(0);
            }
            channel.end();
          });
        });
      });
    });
    client.on('error', () => undefined);
  });
  const listeners = settings.addresses.map(
    (address) =>
      new Promise<void>((resolve, reject) => {
        const listener = net.createServer((socket) => server.injectSocket(socket));
        listener.once('error', reject);
        listener.listen(settings.port, address, () => resolve());
      }),
  );
  process.on('message', (message: unknown) => {
    if (message === 'served') process.send?.({ served });
  });
  return Promise.all(listeners).then(() => undefined);
}

process.once('message', (settings: FarmWorkerSettings) => {
  serve(settings).then(
    () => process.send?.('ready'),
    (error: Error) => process.send?.({ error: error.message }),
  );
});
