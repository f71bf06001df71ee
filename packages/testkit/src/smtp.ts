import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface TestSmtpServer {
  port: number;
  messages: ParsedMail[];
  /** Resolves once `count` messages have arrived (or rejects after timeoutMs). */
  waitForMessages(count: number, timeoutMs?: number): Promise<ParsedMail[]>;
  close(): Promise<void>;
  /** Messages answered 451 so far (deferFirst). */
  deferredCount(): number;
}

/** A real SMTP server (nodemailer's smtp-server) on a free loopback port. */
export async function startTestSmtpServer(
  options: {
    /** Runs right after the server has answered 250 to a message (e.g. to kill the sender). */
    afterAccept?: (mail: ParsedMail) => void;
    /** Answers the first N messages with "451 try again later" (a greylisting or busy server). */
    deferFirst?: number;
  } = {},
): Promise<TestSmtpServer> {
  const messages: ParsedMail[] = [];
  let deferred = 0;
  const waiters: (() => void)[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    size: 100 * 1024 * 1024,
    onData(stream, _session, callback) {
      if (deferred < (options.deferFirst ?? 0)) {
        deferred += 1;
        stream.resume();
        stream.on('end', () => callback(Object.assign(new Error('4.3.0 try again later'), { responseCode: 451 })));
        return;
      }
      simpleParser(stream).then(
        (mail) => {
          messages.push(mail);
          waiters.splice(0).forEach((w) => w());
          callback();
          options.afterAccept?.(mail);
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    messages,
    async waitForMessages(count, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (messages.length < count) {
        if (Date.now() > deadline)
          throw new Error(`expected ${count} message(s), got ${messages.length} within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 250);
        });
      }
      return messages;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    deferredCount: () => deferred,
  };
}
