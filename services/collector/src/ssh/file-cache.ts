import { readFile, stat } from 'node:fs/promises';

interface Entry<T> {
  stamp: string;
  value: Promise<T>;
}

/**
 * Reads and parses a file once, then again only when it changes (inode, size or mtime): a run of
 * 1,000 hosts reads its known_hosts file and its private key once, not once per host (hosts
 * that start together share the one read in flight), and a long-running worker still sees a
 * key or known_hosts file replaced under it.
 */
export function createFileCache<T>(parse: (content: Buffer, path: string) => T): (path: string) => Promise<T> {
  const entries = new Map<string, Entry<T>>();
  return async (path) => {
    const info = await stat(path);
    const stamp = `${info.ino}:${info.size}:${info.mtimeMs}`;
    const cached = entries.get(path);
    if (cached?.stamp === stamp) return cached.value;
    const value = readFile(path).then((content) => parse(content, path));
    entries.set(path, { stamp, value });
    value.catch(() => entries.delete(path));
    return value;
  };
}
