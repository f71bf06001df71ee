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
import { startTestSmtpServer, type TestSmtpServer } from '@infra-report/testkit';
import { deliverRun, type DeliveryLedger } from './deliver-run.js';
import { createMailDestination } from './transports.js';

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

function memoryLedger(): DeliveryLedger & { entries: Map<string, string> } {
  const entries = new Map<string, string>();
  return {
    entries,
    deliveredAt: async (id) => entries.get(id) ?? null,
    markDelivered: async (id, at) => void entries.set(id, at),
  };
}

describe('deliverRun', () => {
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
    const ledger = memoryLedger();
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
    expect(mail?.subject).toBe('Daily Infrastructure Report - 2026-11-22');
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
    expect(mail.subject).toBe('Daily Infrastructure Report - 2026-11-22');
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
});
