import ssh2 from 'ssh2';
import type { AgentAuthMethod, AuthMethod, ParsedKey, PublicKeyAuthMethod } from 'ssh2';
import { parseKnownHosts } from '@infra-report/shared';
import { CollectionError } from '../command-runner.js';
import { createFileCache } from './file-cache.js';

/** Tried in this order when no key is configured, as OpenSSH does. */
const defaultKeyFiles = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

/** The key parsed once per file (not once per host); then the agent, as OpenSSH tries them. */
export function authMethods(username: string, key: ParsedKey | undefined, agent: string | undefined): AuthMethod[] {
  const methods: AuthMethod[] = [];
  if (key) {
    const publicKey: PublicKeyAuthMethod = { type: 'publickey', username, key };
    methods.push(publicKey);
  }
  if (agent) {
    const fromAgent: AgentAuthMethod = { type: 'agent', username, agent };
    methods.push(fromAgent);
  }
  return methods;
}

export const readKnownHosts = createFileCache((content) => parseKnownHosts(content.toString('utf8')));
const readPrivateKeys = createFileCache((content) => content);
/** Parsed keys by file content (the cache above returns the same Buffer while the file is unchanged). */
const parsedKeys = new WeakMap<Buffer, ParsedKey>();

export async function loadPrivateKey(
  configured: string | undefined,
  home: string,
  passphrase: string | undefined,
  target: string,
): Promise<ParsedKey | undefined> {
  let file: string | undefined;
  let content: Buffer | undefined;
  if (configured) {
    try {
      content = await readPrivateKeys(configured);
      file = configured;
    } catch (error) {
      throw new CollectionError(
        'client_config',
        `cannot read SSH private key ${configured}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        true,
        { cause: error },
      );
    }
  } else {
    for (const name of defaultKeyFiles) {
      try {
        file = `${home}/.ssh/${name}`;
        content = await readPrivateKeys(file);
        break;
      } catch {
        file = undefined; // try the next default key
      }
    }
  }
  if (!file || !content) return undefined;
  const cached = parsedKeys.get(content);
  if (cached) return cached;
  const parsed = ssh2.utils.parseKey(content, passphrase);
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key || key instanceof Error || !key.isPrivateKey()) {
    throw new CollectionError(
      'client_config',
      `cannot use the SSH private key ${file} for ${target}: ${key instanceof Error ? key.message : 'not a private key'}`,
      true,
    );
  }
  parsedKeys.set(content, key);
  return key;
}
