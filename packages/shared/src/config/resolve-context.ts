import { homedir } from 'node:os';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { SecretRef } from './schema.js';
import type { ConfigEnvironment } from './types.js';

/** What resolving a configuration needs at every step: paths, secrets, and the problems found. */
export interface ResolveContext {
  env: Record<string, string | undefined>;
  /** $HOME: the one place it is read. */
  home: string;
  /** A path of the file: ~ is home, relative is to the file's directory. */
  expand(p: string): string;
  /** A secret given inline, by { env } or by { file }; a missing one is a problem named by keyPath. */
  secret(ref: SecretRef | undefined, keyPath: string): string | undefined;
  readFile(file: string): string;
  problems: string[];
}

export function createResolveContext(source: string, environment: ConfigEnvironment): ResolveContext {
  const { env } = environment;
  const problems: string[] = [];
  const home = env['HOME'] ?? homedir();
  const cwd = environment.cwd ?? process.cwd();
  const baseDir = source === 'defaults' ? cwd : path.dirname(path.resolve(cwd, source));
  const readFile = environment.readFile ?? ((f: string) => readFileSync(f, 'utf8'));
  const expand = (p: string) =>
    path.resolve(baseDir, p === '~' || p.startsWith('~/') ? path.join(home, p.slice(1)) : p);
  const secret = (ref: SecretRef | undefined, keyPath: string): string | undefined => {
    if (ref === undefined) return undefined;
    if (typeof ref === 'string') return ref;
    if ('env' in ref) {
      const value = env[ref.env];
      if (value === undefined || value === '') problems.push(`${keyPath}: environment variable ${ref.env} is not set`);
      return value;
    }
    try {
      return readFile(expand(ref.file)).trim();
    } catch (error) {
      problems.push(`${keyPath}: cannot read secret file ${ref.file}: ${(error as Error).message}`);
      return undefined;
    }
  };
  return { env, home, expand, secret, readFile, problems };
}
