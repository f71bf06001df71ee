import { createConnection, type Socket } from 'node:net';

/**
 * Waits for the server's first bytes (its SSH banner) and puts them back for ssh2, which
 * starts by pausing the socket and resumes it when it reads.
 */
export function waitForServerBytes(socket: Socket, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      cleanup();
      socket.pause();
      socket.unshift(chunk);
      resolve();
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onClose = () => {
      cleanup();
      reject(Object.assign(new Error('closed before the SSH banner'), { code: 'IR_CLOSED_BEFORE_BANNER' }));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(Object.assign(new Error(`no SSH banner within ${timeoutMs} ms`), { code: 'IR_NO_BANNER' }));
    }, timeoutMs);
    socket.on('data', onData);
    socket.once('error', onError);
    socket.once('close', onClose);
  });
}

/**
 * ssh2 writes every SSH packet with its own socket write; with TCP_NODELAY each is a segment
 * that the kernel delivers at once. Packets written in the same tick (ident and KEXINIT, the
 * script and its EOF, ...) go out together instead.
 */
export function coalesceWrites(socket: Socket): void {
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  const uncork = () => socket.uncork();
  socket.write = ((...args: unknown[]) => {
    if (socket.writableCorked === 0) {
      socket.cork();
      process.nextTick(uncork);
    }
    return write(...args);
  }) as typeof socket.write;
}

/** TCP_NODELAY: a fresh connection otherwise waits ~80 ms in Nagle/delayed-ACK stalls. */
export function connectTcp(address: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: address, port, noDelay: true });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(Object.assign(new Error(`connect timeout after ${timeoutMs} ms`), { code: 'ETIMEDOUT' }));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}
