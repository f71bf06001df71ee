import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { Client, type SFTPWrapper } from 'ssh2';
import { pack } from 'tar-stream';
import {
  fingerprint,
  knownHostsNames,
  parseKnownHosts,
  verifyHostKey,
  type Config,
  type HostKeyVerdict,
} from '@infra-report/shared';

/** As the configuration loader gives them: paths already expanded (~ and relative ones). */
export type ArchiveSettings = NonNullable<Config['archive']>;

export interface ArchiveFile {
  fileName: string;
  content: Buffer;
}

export interface ArchiveOutcome {
  uploaded: { name: string; bytes: number; sha256: string }[];
  purged: string[];
}

/** Thrown when the archive could not be written or verified; the deliver job retries it. */
export class ArchiveError extends Error {
  override name = 'ArchiveError';
}

const reportFile = /^infrastructure-report-(\d{4}-\d{2}-\d{2})[^/]*\.(pdf|xlsx|tgz)$/;

/** The day's files as one .tgz (both at its top level). */
export async function tarGz(files: ArchiveFile[]): Promise<Buffer> {
  const archive = pack();
  for (const file of files)
    archive.entry({ name: file.fileName, size: file.content.length, mtime: new Date(0) }, file.content);
  archive.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of archive) chunks.push(chunk as Buffer);
  return gzipSync(Buffer.concat(chunks));
}

/**
 * Uploads the day's files to the SFTP server (each under a temporary name, renamed once
 * complete), reads each back to check its size and SHA-256, and removes report files whose date
 * is older than the retention. The server's host key must be in known_hosts.
 */
export async function archiveReport(
  settings: ArchiveSettings,
  files: ArchiveFile[],
  reportDate: string,
  now: Date,
): Promise<ArchiveOutcome> {
  const upload = settings.tgz
    ? [{ fileName: `infrastructure-report-${reportDate}.tgz`, content: await tarGz(files) }]
    : files;
  const client = await connect(settings);
  try {
    const sftp = await new Promise<SFTPWrapper>((resolve, reject) =>
      client.sftp((error, s) =>
        error ? reject(new ArchiveError(`SFTP subsystem refused: ${error.message}`)) : resolve(s),
      ),
    );
    await ensureDirectory(sftp, settings.directory);
    const uploaded: ArchiveOutcome['uploaded'] = [];
    for (const file of upload) {
      const target = `${settings.directory.replace(/\/+$/, '')}/${file.fileName}`;
      const partial = `${target}.part`;
      await call<void>(`cannot write ${partial}`, (done) => sftp.writeFile(partial, file.content, done));
      await call<void>('unlink', (done) => sftp.unlink(target, () => done(undefined))).catch(() => undefined);
      await call<void>(`cannot rename ${partial} to ${target}`, (done) => sftp.rename(partial, target, done));
      const written = await call<Buffer>(`cannot read back ${target}`, (done) => sftp.readFile(target, done));
      const expected = sha256(file.content);
      if (written.length !== file.content.length || sha256(written) !== expected)
        throw new ArchiveError(
          `${target} on ${settings.host} reads back as ${written.length} bytes (sha256 ${sha256(written).slice(0, 12)}…), not ${file.content.length} (${expected.slice(0, 12)}…)`,
        );
      uploaded.push({ name: target, bytes: written.length, sha256: expected });
    }
    const purged = await purgeOld(sftp, settings, now);
    return { uploaded, purged };
  } finally {
    client.end();
  }
}

async function purgeOld(sftp: SFTPWrapper, settings: ArchiveSettings, now: Date): Promise<string[]> {
  const directory = settings.directory.replace(/\/+$/, '');
  const cutoff = now.getTime() - settings.retention_days * 86_400_000;
  const entries = await call<{ filename: string }[]>(`cannot list ${directory}`, (done) =>
    sftp.readdir(directory, done),
  );
  const purged: string[] = [];
  for (const { filename } of entries) {
    const date = reportFile.exec(filename)?.[1];
    // Only files this archive writes, by their date: nothing else in the directory is touched.
    if (!date || Date.parse(`${date}T23:59:59Z`) >= cutoff) continue;
    await call<void>(`cannot remove ${directory}/${filename}`, (done) => sftp.unlink(`${directory}/${filename}`, done));
    purged.push(`${directory}/${filename}`);
  }
  return purged;
}

async function ensureDirectory(sftp: SFTPWrapper, directory: string): Promise<void> {
  let path = directory.startsWith('/') ? '' : '.';
  for (const part of directory.split('/').filter(Boolean)) {
    path = `${path}/${part}`;
    const exists = await call<unknown>('stat', (done) => sftp.stat(path, done)).then(
      () => true,
      () => false,
    );
    if (!exists) await call<void>(`cannot create ${path}`, (done) => sftp.mkdir(path, done));
  }
}

function call<T>(
  what: string,
  start: (done: (error: Error | null | undefined, value?: T) => void) => void,
): Promise<T> {
  return new Promise((resolve, reject) =>
    start((error, value) => (error ? reject(new ArchiveError(`${what}: ${error.message}`)) : resolve(value as T))),
  );
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

async function connect(settings: ArchiveSettings): Promise<Client> {
  const knownHostsText = await readFile(settings.known_hosts_file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new ArchiveError(`cannot read known_hosts ${settings.known_hosts_file}: ${error.code ?? error.message}`);
  });
  const privateKey = await readFile(settings.private_key_file).catch((error: NodeJS.ErrnoException) => {
    throw new ArchiveError(`cannot read SSH key ${settings.private_key_file}: ${error.code ?? error.message}`);
  });
  const knownHosts = parseKnownHosts(knownHostsText);
  const names = knownHostsNames([settings.host], settings.port);
  let verdict: HostKeyVerdict | undefined;
  let presented: Buffer | undefined;
  const client = new Client();
  return new Promise((resolve, reject) => {
    client.once('ready', () => resolve(client));
    client.once('error', (error) => {
      if (verdict && verdict.status !== 'trusted')
        reject(
          new ArchiveError(
            `host key ${verdict.status} for archive server ${settings.host}:${settings.port}: it presented ${presented ? fingerprint(presented) : 'no key'}, not in ${settings.known_hosts_file}; refusing to upload`,
          ),
        );
      else
        reject(
          new ArchiveError(`cannot connect to archive server ${settings.host}:${settings.port}: ${error.message}`),
        );
    });
    client.connect({
      host: settings.host,
      port: settings.port,
      username: settings.user,
      privateKey,
      readyTimeout: 20_000,
      hostVerifier: (key: Buffer) => {
        presented = key;
        verdict = verifyHostKey(knownHosts, names, key);
        return verdict.status === 'trusted';
      },
    });
  });
}
