import { mkdir, readFile, writeFile, rename } from 'node:fs/promises';
import path from 'node:path';
import type { Redis } from 'ioredis';

/**
 * Rendered files, reachable by the mailer and the API in other pods: in Redis with a retention
 * (no shared volume needed), or in a directory when everything runs on one machine.
 */
export interface ArtifactStore {
  put(key: string, data: Buffer): Promise<void>;
  get(key: string): Promise<Buffer | null>;
  /** Where a user can find the file, for messages ("redis key ...", or a path). */
  describe(key: string): string;
}

export function artifactKey(runId: string, fileName: string): string {
  if (!/^[A-Za-z0-9._+-]+$/.test(runId) || !/^[A-Za-z0-9._+-]+$/.test(fileName)) {
    throw new Error(`unsafe artifact name ${runId}/${fileName}`);
  }
  return `${runId}/${fileName}`;
}

export function createRedisArtifactStore(redis: Redis, prefix: string, retentionSeconds: number): ArtifactStore {
  const redisKey = (key: string) => `${prefix}:artifact:${key}`;
  return {
    async put(key, data) {
      await redis.set(redisKey(key), data, 'EX', Math.max(1, Math.round(retentionSeconds)));
    },
    async get(key) {
      return redis.getBuffer(redisKey(key));
    },
    describe(key) {
      return `redis key ${redisKey(key)}`;
    },
  };
}

/** Files under `directory`, named by the last part of the key (reports/<file>); runs do not overwrite each other's names. */
export function createFilesystemArtifactStore(directory: string): ArtifactStore {
  const filePath = (key: string) => {
    const resolved = path.resolve(directory, path.basename(key));
    if (path.dirname(resolved) !== path.resolve(directory)) throw new Error(`unsafe artifact key ${key}`);
    return resolved;
  };
  return {
    async put(key, data) {
      await mkdir(directory, { recursive: true });
      const target = filePath(key);
      const temporary = `${target}.partial-${process.pid}`;
      await writeFile(temporary, data);
      await rename(temporary, target);
    },
    async get(key) {
      try {
        return await readFile(filePath(key));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
    },
    describe(key) {
      return filePath(key);
    },
  };
}
