import { UnrecoverableError } from 'bullmq';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failureKindOf } from '@infra-report/shared';
import { ArtifactMissingError, deliveryJobError } from './failure-kinds.js';

/**
 * Which mailer failures are retried: a real SMTP server that refuses a password (535), refuses
 * one recipient for good (550) and another for now (450). Permanent ones fail the job at once.
 */
describe('mailer job failures: permanent ones are not retried', () => {
  let server: SMTPServer;
  let port = 0;

  beforeAll(async () => {
    server = new SMTPServer({
      disabledCommands: ['STARTTLS'],
      authOptional: true,
      logger: false,
      onAuth: (auth, _session, callback) =>
        auth.password === 'right'
          ? callback(null, { user: auth.username })
          : callback(Object.assign(new Error('5.7.8 authentication failed'), { responseCode: 535 })),
      onRcptTo: (address, _session, callback) => {
        if (address.address.startsWith('gone@'))
          return callback(Object.assign(new Error('5.1.1 no such user'), { responseCode: 550 }));
        if (address.address.startsWith('busy@'))
          return callback(Object.assign(new Error('4.2.1 mailbox busy, try later'), { responseCode: 450 }));
        return callback();
      },
      onData: (stream, _session, callback) => {
        stream.resume();
        stream.on('end', () => callback());
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.server.address() as { port: number }).port;
  });
  afterAll(async () => new Promise<void>((resolve) => server.close(() => resolve())));

  const send = async (to: string, password?: string) => {
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port,
      secure: false,
      ignoreTLS: true,
      ...(password ? { auth: { user: 'reports', pass: password } } : {}),
    });
    try {
      await transport.sendMail({ from: 'reports@example.com', to, subject: 's', text: 't' });
      return null;
    } catch (error) {
      return deliveryJobError(error);
    } finally {
      transport.close();
    }
  };

  it('fails at once on a refused password and a recipient refused for good', async () => {
    const auth = await send('ops@example.com', 'wrong');
    expect(auth).toBeInstanceOf(UnrecoverableError);
    expect(failureKindOf(auth!)).toBe('smtp_auth');
    const rejected = await send('gone@example.com');
    expect(rejected).toBeInstanceOf(UnrecoverableError);
    expect(failureKindOf(rejected!)).toBe('smtp_rejected');
    expect(rejected?.message).toContain('no such user');
    const missing = deliveryJobError(new ArtifactMissingError('the PDF expired'));
    expect(missing).toBeInstanceOf(UnrecoverableError);
    expect(failureKindOf(missing)).toBe('artifact_missing');
  });

  it('retries what may pass later: a recipient refused for now, a server that is down', async () => {
    const later = await send('busy@example.com');
    expect(later).not.toBeInstanceOf(UnrecoverableError);
    expect(failureKindOf(later!)).toBe('smtp_rejected');
    expect(await send('ops@example.com', 'right')).toBeNull();
    const down = nodemailer.createTransport({ host: '127.0.0.1', port: 1, connectionTimeout: 2000 });
    const refused = await down.sendMail({ from: 'a@example.com', to: 'b@example.com', text: 't' }).then(
      () => null,
      (error: unknown) => deliveryJobError(error),
    );
    expect(refused).not.toBeInstanceOf(UnrecoverableError);
    expect(failureKindOf(refused!)).toBe('smtp_connection');
  });
});
