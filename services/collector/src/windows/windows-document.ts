import { z } from 'zod';
import type { Parsed } from '../probes/parse-result.js';

export const documentBegin = '-----BEGIN INFRA-REPORT WINDOWS-----';
export const documentEnd = '-----END INFRA-REPORT WINDOWS-----';

/** A Windows host's events are read per channel, each with its own bookmark. */
export const windowsChannels = ['Security', 'OpenSSH/Operational'] as const;

const isoInstant = z.string().refine((t) => !Number.isNaN(Date.parse(t)), 'an ISO 8601 time');
const bytes = z.number().int().min(0);

/**
 * The document a Windows host returns (issue 20, fixed because independent checks feed it):
 * base64 of UTF-8 JSON between the two marker lines; anything outside them is ignored.
 */
export const windowsDocumentSchema = z.object({
  version: z.literal(1),
  computer: z.string().max(256),
  now: isoInstant,
  boot: isoInstant,
  timezone: z.string().max(256),
  os: z.object({ caption: z.string().max(512), version: z.string().max(128) }),
  disks: z
    .array(
      z.object({
        device: z.string().max(64),
        filesystem: z.string().max(64).nullable(),
        size: bytes.nullable(),
        free: bytes.nullable(),
      }),
    )
    .max(1000),
  events: z.record(z.string(), z.array(z.string())),
  bookmarks: z.record(z.string(), z.number().int().min(0)),
  problems: z.array(z.string().max(2000)).max(1000),
  /** Services set to start automatically that are not running (names); absent where not read. */
  services: z.array(z.string().max(512)).max(10_000).optional(),
});
export type WindowsDocument = z.infer<typeof windowsDocumentSchema>;

const base64Body = /^[A-Za-z0-9+/=\s]*$/;

/**
 * Finds the document in what the host printed (banners, PowerShell warnings and progress lines
 * around it are ignored) and checks it. Any size is read: a host under a password spray sends
 * tens of MB of events. A document that cannot be read is a problem, never a crash.
 */
export function extractWindowsDocument(output: string): Parsed<WindowsDocument | null> {
  const begin = output.indexOf(documentBegin);
  if (begin < 0) return failed('no document in the output (the PowerShell script did not run to its end)');
  const end = output.indexOf(documentEnd, begin + documentBegin.length);
  if (end < 0) return failed('the document has no end marker: the output was cut');
  const body = output.slice(begin + documentBegin.length, end);
  if (!base64Body.test(body)) return failed('the document is not base64 (characters outside A–Z, a–z, 0–9, +, /, =)');
  let data: unknown;
  try {
    data = JSON.parse(Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8'));
  } catch (error) {
    return failed(`the document is not JSON: ${(error as Error).message.slice(0, 120)}`);
  }
  const parsed = windowsDocumentSchema.safeParse(data);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`)
      .join('; ');
    return failed(`the document does not have the expected fields: ${issues}`);
  }
  return { value: parsed.data, problems: [] };
}

function failed(problem: string): Parsed<null> {
  return { value: null, problems: [problem] };
}
