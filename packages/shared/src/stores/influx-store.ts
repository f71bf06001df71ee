import { InfluxDB, Point, type WriteApi } from '@influxdata/influxdb-client';
import type { Config } from '../config/load.js';

export { Point };

/** Points as line protocol (a point without fields has no line and is left out). */
export function toLineProtocol(points: Point[]): string[] {
  return points.map((p) => p.toLineProtocol()).filter((line): line is string => Boolean(line));
}

export interface InfluxSeries {
  name: string;
  tags: Record<string, string>;
  columns: string[];
  values: unknown[][];
}

/** Time series storage: writes line protocol, reads with InfluxQL over /query. */
export interface InfluxStore {
  writePoints(points: Point[]): Promise<void>;
  /** The same for lines already in line protocol (points kept while InfluxDB was down). */
  writeLines(lines: string[]): Promise<void>;
  /** Runs InfluxQL; times come back as epoch milliseconds. */
  query(influxql: string): Promise<InfluxSeries[]>;
  close(): Promise<void>;
}

type InfluxSettings = NonNullable<Config['influx']>;

export class InfluxError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InfluxError';
  }
}

/**
 * The v2 write API goes through the official client's WriteApi (InfluxDB 1.8+, 2.x, 3.x,
 * VictoriaMetrics). `api: v1` posts the same lines to /write, for InfluxDB older than 1.8.
 */
export function createInfluxStore(settings: InfluxSettings): InfluxStore {
  const baseUrl = settings.url.replace(/\/+$/, '');
  const timeoutMs = settings.timeout_seconds * 1000;
  const authHeaders = influxAuthHeaders(settings);
  let writeApi: WriteApi | undefined;

  const v2Write = async (lines: string[]) => {
    writeApi ??= new InfluxDB({
      url: baseUrl,
      token: settings.token ?? v1TokenFor(settings),
      timeout: timeoutMs,
    }).getWriteApi(settings.org, settings.bucket, 'ns', { maxRetries: 3, flushInterval: 0, batchSize: 5000 });
    writeApi.writeRecords(lines);
    await writeApi.flush();
  };

  const v1Write = async (lines: string[]) => {
    const url = `${baseUrl}/write?db=${encodeURIComponent(settings.bucket)}&precision=ns`;
    const response = await fetchWithTimeout(
      url,
      {
        method: 'POST',
        headers: { ...authHeaders, 'content-type': 'text/plain; charset=utf-8' },
        body: lines.join('\n'),
      },
      timeoutMs,
    );
    if (response.status !== 204) {
      throw new InfluxError(
        `InfluxDB at ${baseUrl} refused the write (HTTP ${response.status}): ${(await response.text()).slice(0, 300)}`,
      );
    }
  };

  return {
    async writePoints(points) {
      await this.writeLines(toLineProtocol(points));
    },
    async writeLines(lines) {
      if (lines.length === 0) return;
      try {
        await (settings.api === 'v1' ? v1Write(lines) : v2Write(lines));
      } catch (error) {
        if (error instanceof InfluxError) throw error;
        throw new InfluxError(`cannot write to InfluxDB at ${baseUrl}: ${(error as Error).message}`, { cause: error });
      }
    },
    async query(influxql) {
      const url = `${baseUrl}/query?db=${encodeURIComponent(settings.bucket)}&epoch=ms&q=${encodeURIComponent(influxql)}`;
      let response: Response;
      try {
        response = await fetchWithTimeout(url, { method: 'GET', headers: authHeaders }, timeoutMs);
      } catch (error) {
        throw new InfluxError(`cannot query InfluxDB at ${baseUrl}: ${(error as Error).message}`, { cause: error });
      }
      const body = (await response.json().catch(() => ({}))) as {
        results?: { series?: InfluxSeries[]; error?: string }[];
        error?: string;
      };
      const error = body.error ?? body.results?.find((r) => r.error)?.error;
      if (!response.ok || error)
        throw new InfluxError(`InfluxQL query failed (HTTP ${response.status}): ${error ?? 'no details'}`);
      return (body.results ?? []).flatMap((r) => r.series ?? []).map((s) => ({ ...s, tags: s.tags ?? {} }));
    },
    async close() {
      await writeApi?.close().catch(() => undefined);
    },
  };
}

/** Creates the database on InfluxDB 1.x (CREATE DATABASE is idempotent there). */
export async function ensureInfluxV1Database(settings: InfluxSettings): Promise<void> {
  const url = `${settings.url.replace(/\/+$/, '')}/query?q=${encodeURIComponent(`CREATE DATABASE "${settings.bucket.replace(/"/g, '')}"`)}`;
  const response = await fetchWithTimeout(
    url,
    { method: 'POST', headers: influxAuthHeaders(settings) },
    settings.timeout_seconds * 1000,
  );
  if (!response.ok)
    throw new InfluxError(
      `cannot create database ${settings.bucket} (HTTP ${response.status}): ${(await response.text()).slice(0, 300)}`,
    );
}

function influxAuthHeaders(settings: InfluxSettings): Record<string, string> {
  if (settings.token) return { authorization: `Token ${settings.token}` };
  if (settings.username) {
    return {
      authorization: `Basic ${Buffer.from(`${settings.username}:${settings.password ?? ''}`).toString('base64')}`,
    };
  }
  return {};
}

/** InfluxDB 1.8's v2 compatibility API takes "user:password" as the token. */
function v1TokenFor(settings: InfluxSettings): string {
  return settings.username ? `${settings.username}:${settings.password ?? ''}` : '';
}

async function fetchWithTimeout(url: string, init: RequestInit, timeoutMs: number): Promise<Response> {
  return fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
}
