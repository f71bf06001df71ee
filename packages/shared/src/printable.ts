/**
 * Control characters (ANSI escapes from a log line) are shown in caret notation as `cat -v`
 * prints them (ESC as ^[), never interpreted and never silently dropped. With maxLength, text
 * longer than that is cut and says how long it was (a 10,000-character user name is one line
 * of the report, not a wall of text).
 */
export function printable(text: string, maxLength?: number): string {
  const characters = [...text];
  const shown =
    maxLength !== undefined && characters.length > maxLength
      ? `${characters.slice(0, Math.max(1, maxLength - 20)).join('')}… (${characters.length} characters)`
      : text;
  return shown.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => {
    const code = c.charCodeAt(0);
    if (code === 0x7f) return '^?';
    if (code >= 0x80) return `M-^${String.fromCharCode(code - 0x80 + 64)}`;
    return `^${String.fromCharCode(code + 64)}`;
  });
}
