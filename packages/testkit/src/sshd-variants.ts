import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './services.js';

/** One line of test-fixtures/auth-logs/sshd-variants.tsv: an sshd message and how it must be read. */
export interface SshdVariant {
  /** The sshd process id; empty for a line tagged without one. */
  pid: string;
  /** The syslog tag the line is written with: "sshd[pid]:", or the corpus's own ("[sshd]"). */
  tag: string;
  /** The expected reading as written in the corpus; null: the line counts nothing. */
  expected: Record<string, unknown> | null;
  message: string;
  /** Line number in the corpus file, for messages. */
  lineNumber: number;
}

export interface SshdVariantTotal {
  source: string;
  attempts: number;
  probes: number;
}

export const sshdVariantsFile = path.join(repoRoot, 'test-fixtures/auth-logs/sshd-variants.tsv');

/** The corpus of real sshd message variants with their expected readings and totals per source. */
export function loadSshdVariants(): { variants: SshdVariant[]; totals: SshdVariantTotal[] } {
  const variants: SshdVariant[] = [];
  const totals: SshdVariantTotal[] = [];
  readFileSync(sshdVariantsFile, 'utf8')
    .split('\n')
    .forEach((line, index) => {
      if (line === '' || line.startsWith('#')) return;
      const fields = line.split('\t');
      if (fields[0] === '=') {
        totals.push(JSON.parse(fields[1] ?? '') as SshdVariantTotal);
        return;
      }
      const [pid, expected, ...message] = fields;
      if (!pid || !expected || message.length === 0) throw new Error(`sshd-variants.tsv:${index + 1}: three fields`);
      // A pid field in brackets is the line's whole tag (old syslog daemons: "[sshd]", "[sshd]:").
      const tagged = pid.startsWith('[');
      variants.push({
        pid: tagged ? '' : pid,
        tag: tagged ? pid : `sshd[${pid}]:`,
        expected: expected === '-' ? null : (JSON.parse(expected) as Record<string, unknown>),
        message: message.join('\t'),
        lineNumber: index + 1,
      });
    });
  return { variants, totals };
}
