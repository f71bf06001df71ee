import { connect } from 'node:tls';
import { isIP } from 'node:net';
import type { CertificateStatus } from '@infra-report/shared';
import { shellQuote } from './command-batch.js';
import { excerpt, type Parsed } from './parse-result.js';
import type { Probe } from './probe.js';
import type { ResolvedHost } from '@infra-report/shared';

/** Certificate files on the host: end date, subject and issuer from openssl, one line per file. */
export function certificateFilesCommand(paths: string[]): string {
  return [
    `for ir_f in ${paths.map(shellQuote).join(' ')}; do`,
    '  if [ ! -r "$ir_f" ]; then echo "ir-cert $ir_f	unreadable"; continue; fi',
    '  printf "ir-cert %s\\t" "$ir_f"; openssl x509 -noout -enddate -subject -issuer -nameopt RFC2253 -in "$ir_f" 2>&1 | tr "\\n" "\\t"; echo',
    'done',
  ].join('\n');
}

/** openssl's "notAfter=Nov 27 12:00:00 2026 GMT" as an instant. */
function parseOpensslDate(text: string): Date | null {
  const m = /^([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\d{4}) GMT$/.exec(text.trim());
  if (!m) return null;
  const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'].indexOf(m[1]!);
  if (month < 0) return null;
  return new Date(Date.UTC(Number(m[6]), month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])));
}

export function parseCertificateFiles(text: string): Parsed<CertificateStatus[]> {
  const out: CertificateStatus[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('ir-cert ')) continue;
    const [target = '', ...fields] = line.slice('ir-cert '.length).split('\t');
    const field = (key: string) =>
      fields
        .find((f) => f.startsWith(`${key}=`))
        ?.slice(key.length + 1)
        .trim() ?? null;
    const notAfter = field('notAfter');
    const date = notAfter ? parseOpensslDate(notAfter) : null;
    const error =
      fields[0] === 'unreadable'
        ? 'not readable by the SSH user'
        : date
          ? null
          : /not found/.test(fields.join(' '))
            ? 'openssl is not installed on the host'
            : `not a PEM certificate: ${excerpt(fields.join(' '))}`;
    out.push({
      target,
      subject: field('subject'),
      issuer: field('issuer'),
      notAfter: date?.toISOString() ?? null,
      error,
    });
  }
  return { value: out, problems: [] };
}

/**
 * A TLS port's certificate, read by the collector itself (nothing runs on the host). The chain is
 * not judged here, only the leaf's dates: an expired or self-signed certificate is still read.
 */
export function readTlsCertificate(
  address: string,
  port: number,
  serverName: string | undefined,
  timeoutMs = 5000,
): Promise<CertificateStatus> {
  const target = `tls:${port}${serverName ? ` (${serverName})` : ''}`;
  return new Promise((resolve) => {
    const name = serverName ?? (isIP(address) ? undefined : address);
    const socket = connect({ host: address, port, servername: name, rejectUnauthorized: false, timeout: timeoutMs });
    const done = (status: Omit<CertificateStatus, 'target'>) => {
      socket.destroy();
      resolve({ target, ...status });
    };
    socket.once('secureConnect', () => {
      const cert = socket.getPeerCertificate();
      const notAfter = cert?.valid_to ? new Date(cert.valid_to) : null;
      done({
        subject: cert?.subject?.CN ? `CN=${String(cert.subject.CN)}` : null,
        issuer: cert?.issuer?.CN ? `CN=${String(cert.issuer.CN)}` : null,
        notAfter: notAfter && !Number.isNaN(notAfter.getTime()) ? notAfter.toISOString() : null,
        error: notAfter ? null : 'no certificate offered',
      });
    });
    socket.once('timeout', () =>
      done({ subject: null, issuer: null, notAfter: null, error: `no TLS handshake within ${timeoutMs / 1000} s` }),
    );
    socket.once('error', (error: NodeJS.ErrnoException) =>
      done({
        subject: null,
        issuer: null,
        notAfter: null,
        error: error.code === 'ECONNREFUSED' ? 'connection refused' : error.message,
      }),
    );
  });
}

/** The certificate files configured for a host (TLS ports are read from the collector). */
export function certificateFiles(host: ResolvedHost): string[] {
  return host.collect.certificates.flatMap((c) => ('path' in c ? [c.path] : []));
}

/** Expiry of the configured certificate files, read with openssl on the host. */
export const certificatesProbe: Probe = {
  name: 'certificates',
  commands: ({ host }) =>
    certificateFiles(host).length > 0
      ? [{ name: 'certificates', script: certificateFilesCommand(certificateFiles(host)) }]
      : [],
  parse: (sections, { host }) => ({
    certificates: certificateFiles(host).length > 0 ? sections.read('certificates', parseCertificateFiles, []) : [],
  }),
};
