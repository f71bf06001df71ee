import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * JSON logs on stdout (what Kubernetes collects). Secrets are redacted by key name wherever they
 * appear, so a logged config or error object cannot leak them.
 */
export function createLogger(service: string, level = 'info', destination?: DestinationStream): Logger {
  return pino(
    {
      name: service,
      level,
      redact: {
        paths: [
          '*.password',
          '*.token',
          '*.tokens',
          '*.passphrase',
          '*.privateKey',
          'password',
          'token',
          'passphrase',
          'authorization',
          '*.authorization',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}

/** A logger that drops everything: for tests and the quiet one-process mode. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
