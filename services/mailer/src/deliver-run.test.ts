import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  artifactKey,
  createFilesystemArtifactStore,
  parseConfig,
  silentLogger,
  type RenderResult,
} from '@infra-report/shared';
import { Redis } from 'ioredis';
import { startTestSmtpServer, testServices, uniqueName, type TestSmtpServer } from '@infra-report/testkit';
import { deliverRun, runMessageId } from './deliver-run.js';
import { createMailDestination, createRedisDeliveryLedger } from './transports.js';

const run = {
  runId: '2026-11-22_all',
  reportDate: '2026-11-22',
  scope: 'all',
  windowStart: '2026-11-21T07:00:00.000Z',
  windowEnd: '2026-11-22T07:00:00.000Z',
  timezone: 'UTC',
};

async function storedResult(): Promise<{
  result: RenderResult;
  artifacts: ReturnType<typeof createFilesystemArtifactStore>;
}> {
  const artifacts = createFilesystemArtifactStore(mkdtempSync(path.join(tmpdir(), 'ir-mail-')));
  const files = [
    {
      fileName: 'infrastructure-report-2026-11-22.pdf',
      contentType: 'application/pdf',
      data: Buffer.from('%PDF-1.7 test'),
    },
    {
      fileName: 'infrastructure-report-2026-11-22.xlsx',
      contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      data: Buffer.from('PK test'),
    },
  ];
  for (const f of files) await artifacts.put(artifactKey(run.runId, f.fileName), f.data);
  return {
    artifacts,
    result: {
      run,
      artifacts: files.map((f) => ({
        fileName: f.fileName,
        contentType: f.contentType,
        bytes: f.data.length,
        key: artifactKey(run.runId, f.fileName),
      })),
      summary: {
        hostsTotal: 3,
        hostsReporting: 2,
        hostsUnreachable: 1,
        attention: [
          { severity: 'critical', host: '<script>alert(1)</script>', message: 'unreachable: connection refused' },
        ],
      },
    },
  };
}

describe('deliverRun', () => {
  const redis = new Redis(testServices().redisUrl);
  afterAll(async () => {
    await redis.quit();
  });
  let smtp: TestSmtpServer;
  beforeAll(async () => {
    smtp = await startTestSmtpServer();
  });
  afterAll(async () => smtp.close());

  it('sends one email over SMTP with the PDF and XLSX attached, and never twice', async () => {
    const { result, artifacts } = await storedResult();
    const config = parseConfig(
      `smtp: { host: 127.0.0.1, port: ${smtp.port}, from: reports@example.com, to: [ops@example.com, oncall@example.com] }\n`,
      't.yaml',
      { env: {} },
    );
    const destination = createMailDestination(config);
    const ledger = createRedisDeliveryLedger(redis, uniqueName('ir-ledger'));
    const deps = {
      artifacts,
      destination,
      report: config.report,
      ledger,
      now: () => new Date('2026-11-22T07:05:00Z'),
      logger: silentLogger(),
    };
    const before = smtp.messages.length;
    const first = await deliverRun(result, deps);
    const second = await deliverRun(result, deps);
    destination.transport.close();

    const [mail] = (await smtp.waitForMessages(before + 1)).slice(before);
    expect(smtp.messages).toHaveLength(before + 1);
    expect(first.destination).toBe('ops@example.com, oncall@example.com');
    expect(second.destination).toBe('already delivered');
    expect(mail?.messageId).toBe('<report.2026-11-22_all@example.com>');
    expect(mail?.subject).toBe('Daily Infrastructure Report - 2026-11-22 - 1 critical, 1 unreachable');
    expect(mail?.attachments.map((a) => [a.filename, a.contentType, a.content.toString()])).toEqual([
      ['infrastructure-report-2026-11-22.pdf', 'application/pdf', '%PDF-1.7 test'],
      [
        'infrastructure-report-2026-11-22.xlsx',
        'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        'PK test',
      ],
    ]);
    expect(mail?.text).toContain('2 of 3 hosts reported, 1 unreachable.');
    expect(mail?.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(mail?.html).not.toContain('<script>');
  });

  it('writes the email as an .eml to the outbox when no SMTP is configured', async () => {
    const { result, artifacts } = await storedResult();
    const outbox = mkdtempSync(path.join(tmpdir(), 'ir-outbox-'));
    const config = parseConfig(`report: { outbox_dir: ${outbox} }\n`, 't.yaml', { env: {} });
    const destination = createMailDestination(config);
    const delivered = await deliverRun(result, {
      artifacts,
      destination,
      report: config.report,
      ledger: undefined,
      now: () => new Date(),
      logger: silentLogger(),
    });
    expect(delivered.destination).toBe(path.join(outbox, '2026-11-22_all.eml'));
    const mail = await simpleParser(readFileSync(delivered.destination));
    expect(mail.subject).toBe('Daily Infrastructure Report - 2026-11-22 - 1 critical, 1 unreachable');
    expect(mail.attachments.map((a) => a.filename)).toEqual([
      'infrastructure-report-2026-11-22.pdf',
      'infrastructure-report-2026-11-22.xlsx',
    ]);
  });

  it('links to the files instead of attaching them when they exceed the size limit', async () => {
    const { result, artifacts } = await storedResult();
    const config = parseConfig(
      `smtp: { host: 127.0.0.1, port: ${smtp.port}, from: r@example.com, to: [ops@example.com], max_attachment_bytes: 10 }\napi: { public_url: "https://reports.example.com" }\n`,
      't.yaml',
      { env: {} },
    );
    const destination = createMailDestination(config);
    const before = smtp.messages.length;
    await deliverRun(result, {
      artifacts,
      destination,
      report: config.report,
      ledger: undefined,
      now: () => new Date(),
      logger: silentLogger(),
    });
    destination.transport.close();
    const mail = (await smtp.waitForMessages(before + 1))[before];
    expect(mail?.attachments).toEqual([]);
    expect(mail?.text).toContain(
      'https://reports.example.com/v1/runs/2026-11-22_all/files/infrastructure-report-2026-11-22.pdf',
    );
  });

  it('sends again with the same Message-ID, and counts it, when an earlier attempt died before its outcome was recorded', async () => {
    const { result, artifacts } = await storedResult();
    const config = parseConfig(
      `smtp: { host: 127.0.0.1, port: ${smtp.port}, from: "infra-report <reports@example.com>", to: [ops@example.com] }\n`,
      't.yaml',
      { env: {} },
    );
    const destination = createMailDestination(config);
    const prefix = uniqueName('ir-ledger');
    const ledger = createRedisDeliveryLedger(redis, prefix);
    const messageId = runMessageId(run.runId, 'infra-report <reports@example.com>');
    // The crashed attempt: intent recorded, the server took the message, no outcome.
    await ledger.recordIntent(run.runId, { at: '2026-11-22T07:04:00Z', messageId });
    const counted = { duplicates: 0, delivered: 0, already: 0 };
    const metrics = {
      possibleDuplicate: () => void (counted.duplicates += 1),
      delivered: () => void (counted.delivered += 1),
      sendFailed: () => undefined,
      alreadyDelivered: () => void (counted.already += 1),
    };
    const deps = {
      artifacts,
      destination,
      report: config.report,
      ledger,
      now: () => new Date(),
      logger: silentLogger(),
      metrics,
    };
    const before = smtp.messages.length;
    await deliverRun(result, deps);
    await deliverRun(result, deps);
    destination.transport.close();
    const [mail] = (await smtp.waitForMessages(before + 1)).slice(before);
    expect(smtp.messages).toHaveLength(before + 1);
    expect(mail?.messageId).toBe(messageId);
    expect(counted).toEqual({ duplicates: 1, delivered: 1, already: 1 });
    expect(await redis.get(`${prefix}:delivered:${run.runId}`)).toBeTruthy();
    expect(await redis.ttl(`${prefix}:delivered:${run.runId}`)).toBeGreaterThan(300 * 86400);
  });
});
