import { randomBytes } from 'node:crypto';

/** One read-only command of the batch; its output becomes one section. */
export interface BatchCommand {
  name: string;
  /** POSIX sh; values from configuration must already be quoted with shellQuote. */
  script: string;
  /**
   * Output that can be large (a log, a file listing) is capped on the host by `head -c`; small
   * fixed outputs skip that pipeline (three processes fewer) and are capped by the collector.
   */
  large?: boolean;
  /** Runs before every other section of the batch (a measurement the rest overlaps). */
  first?: boolean;
  /**
   * Runs in the batch's own shell, not a subshell: variables it sets are seen by later sections.
   * Only for scripts without `exit` and whose variables are named for the probe (ir_<probe>_*).
   */
  inline?: boolean;
}

/**
 * Defined once at the top of every batch: reads a file with shell builtins only, so the many
 * small /proc and /etc files cost no process each.
 */
/** Shell functions every batch defines first (the probes' commands may use them). */
export const helpers = [
  'ir_cat() { while IFS= read -r ir_l || [ -n "$ir_l" ]; do printf \'%s\\n\' "$ir_l"; done < "$1"; }',
];

export interface SectionOutput {
  text: string;
  /** Exit status of the command, or null when the section never finished. */
  exitCode: number | null;
  /** Output longer than the cap: cut, and marked so in the report. */
  truncated: boolean;
}

/**
 * Many commands in one exec: each section is framed by markers carrying a random nonce, so
 * nothing a host prints (a hostile log line, a crafted filename) can forge a section boundary.
 */
export function buildBatchScript(
  commands: BatchCommand[],
  maxBytesPerCommand: number,
  nonce = randomBytes(16).toString('hex'),
): { script: string; nonce: string } {
  const marker = `@@ir-${nonce}@@`;
  // A first line at once (the collector knows the script runs); then every section through one
  // dd that writes in 64 KiB blocks: a hundred small writes would each become an SSH packet,
  // costing sshd and the collector a wake-up, an encryption and a parse each.
  const lines = ['LC_ALL=C; export LC_ALL', 'exec 2>&1', ...helpers, `printf '%s start\\n' '${marker}'`, '{'];
  // sh rejects an empty { }: a batch of no commands (the baseline bench/host-cpu.mjs subtracts)
  // must still run, pipeline and all.
  if (commands.length === 0) lines.push(':');
  for (const command of commands) {
    if (!/^[a-z0-9-]+$/.test(command.name)) throw new Error(`bad section name ${command.name}`);
    lines.push(`printf '%s begin ${command.name}\\n' '${marker}'`);
    if (command.large) {
      // head keeps one byte over the cap so the parser can tell "exactly the cap" from "cut".
      lines.push(
        `ir_rc=$( { { ( ${command.script}\n) 2>&1; echo $? >&3; } | head -c ${maxBytesPerCommand + 1} >&4; } 3>&1 ) 4>&1`,
      );
    } else if (command.inline) {
      lines.push(`{ ${command.script}\n} 2>&1; ir_rc=$?`);
    } else {
      // A subshell (one fork, no exec) keeps a section's variables and `exit` to itself.
      lines.push(`( ${command.script}\n) 2>&1; ir_rc=$?`);
    }
    lines.push(`printf '\\n%s end ${command.name} %s\\n' '${marker}' "$ir_rc"`);
  }
  lines.push('} 2>&1 | dd ibs=65536 obs=65536 2>/dev/null');
  return { script: `${lines.join('\n')}\n`, nonce };
}

/** Splits a batch's output into sections; a section whose end marker is missing is reported as cut off. */
export function splitBatchOutput(
  output: string,
  nonce: string,
  maxBytesPerCommand: number,
): Map<string, SectionOutput> {
  const marker = `@@ir-${nonce}@@`;
  const sections = new Map<string, SectionOutput>();
  let position = 0;
  for (;;) {
    const beginAt = output.indexOf(`${marker} begin `, position);
    if (beginAt < 0) break;
    const nameEnd = output.indexOf('\n', beginAt);
    if (nameEnd < 0) break;
    const name = output.slice(beginAt + marker.length + ' begin '.length, nameEnd);
    const bodyStart = nameEnd + 1;
    const endToken = `\n${marker} end ${name} `;
    const endAt = output.indexOf(endToken, bodyStart);
    if (endAt < 0) {
      sections.set(name, { ...capped(output.slice(bodyStart), maxBytesPerCommand), exitCode: null });
      break;
    }
    const statusEnd = output.indexOf('\n', endAt + endToken.length);
    const status = output.slice(endAt + endToken.length, statusEnd < 0 ? undefined : statusEnd);
    const exitCode = /^\d+$/.test(status) ? Number(status) : null;
    sections.set(name, { ...capped(output.slice(bodyStart, endAt), maxBytesPerCommand), exitCode });
    position = statusEnd < 0 ? output.length : statusEnd + 1;
  }
  return sections;
}

function capped(text: string, maxBytes: number): { text: string; truncated: boolean } {
  if (Buffer.byteLength(text) <= maxBytes) return { text, truncated: false };
  const cut = Buffer.from(text).subarray(0, maxBytes).toString('utf8');
  // Drop the partial last line: a cut line would parse as a different, wrong value.
  const lastNewline = cut.lastIndexOf('\n');
  return { text: lastNewline >= 0 ? cut.slice(0, lastNewline + 1) : '', truncated: true };
}

/** Single-quotes a value for POSIX sh: the only safe way to put configuration into a command. */
export function shellQuote(value: string): string {
  if (value.includes('\0')) throw new Error('a NUL byte cannot be passed to a shell command');
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
