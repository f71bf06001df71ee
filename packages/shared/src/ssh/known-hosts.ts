import { createHash, createHmac } from 'node:crypto';

/** One usable line of an OpenSSH known_hosts file. */
export interface KnownHostEntry {
  marker: 'revoked' | 'cert-authority' | null;
  patterns: string;
  keyType: string;
  key: Buffer;
  line: number;
}

export interface KnownHostsFile {
  entries: KnownHostEntry[];
  /** Lines that could not be understood, with their line number. */
  problems: string[];
}

export type HostKeyVerdict =
  | { status: 'trusted' }
  | { status: 'unknown' }
  | { status: 'changed'; expectedTypes: string[] }
  | { status: 'revoked' };

export function parseKnownHosts(text: string): KnownHostsFile {
  const entries: KnownHostEntry[] = [];
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    let marker: KnownHostEntry['marker'] = null;
    if (fields[0]?.startsWith('@')) {
      const name = fields.shift();
      if (name === '@revoked') marker = 'revoked';
      else if (name === '@cert-authority') marker = 'cert-authority';
      else {
        problems.push(`line ${index + 1}: unknown marker ${name}`);
        return;
      }
    }
    const [patterns, keyType, keyBase64] = fields;
    if (!patterns || !keyType || !keyBase64 || !/^[A-Za-z0-9+/]+=*$/.test(keyBase64)) {
      problems.push(`line ${index + 1}: expected "hosts key-type base64-key"`);
      return;
    }
    entries.push({ marker, patterns, keyType, key: Buffer.from(keyBase64, 'base64'), line: index + 1 });
  });
  return { entries, problems };
}

/** The names OpenSSH looks a host up by: "host" on port 22, "[host]:port" otherwise. */
export function knownHostsNames(hosts: string[], port: number): string[] {
  return [...new Set(hosts)].map((host) => (port === 22 ? host : `[${host}]:${port}`));
}

export function entryMatchesName(patterns: string, name: string): boolean {
  if (patterns.startsWith('|1|')) return hashedPatternMatches(patterns, name);
  let matched = false;
  for (const pattern of patterns.split(',')) {
    const negated = pattern.startsWith('!');
    const body = negated ? pattern.slice(1) : pattern;
    if (wildcardMatches(body.toLowerCase(), name.toLowerCase())) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

function hashedPatternMatches(pattern: string, name: string): boolean {
  const [, , salt, hash] = pattern.split('|');
  if (!salt || !hash) return false;
  const digest = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
  return digest === hash;
}

function wildcardMatches(pattern: string, name: string): boolean {
  if (!/[*?]/.test(pattern)) return pattern === name;
  const regex = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
  return regex.test(name);
}

/** Key types known for these names; used to make the server offer a key we can check. */
export function knownKeyTypes(file: KnownHostsFile, names: string[]): string[] {
  return [
    ...new Set(
      file.entries
        .filter((e) => e.marker === null && names.some((n) => entryMatchesName(e.patterns, n)))
        .map((e) => e.keyType),
    ),
  ];
}

/** Checks the key a server presented against known_hosts, as OpenSSH's StrictHostKeyChecking=yes does. */
export function verifyHostKey(file: KnownHostsFile, names: string[], presentedKey: Buffer): HostKeyVerdict {
  const forHost = file.entries.filter((e) => names.some((n) => entryMatchesName(e.patterns, n)));
  if (forHost.some((e) => e.marker === 'revoked' && e.key.equals(presentedKey))) return { status: 'revoked' };
  const plain = forHost.filter((e) => e.marker === null);
  if (plain.some((e) => e.key.equals(presentedKey))) return { status: 'trusted' };
  if (plain.length === 0) return { status: 'unknown' };
  return { status: 'changed', expectedTypes: [...new Set(plain.map((e) => e.keyType))] };
}

/** ssh2 algorithm names that can present a host key of the given known_hosts key type. */
export function hostKeyAlgorithmsFor(keyTypes: string[]): string[] {
  return keyTypes.flatMap((type) => (type === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [type]));
}

/** SHA256 fingerprint as OpenSSH prints it, for messages. */
export function fingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}
