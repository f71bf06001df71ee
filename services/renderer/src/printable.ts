/**
 * Control characters (ANSI escapes from a log line) are shown in caret notation as `cat -v`
 * prints them (ESC as ^[), never interpreted and never silently dropped.
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => {
    const code = c.charCodeAt(0);
    if (code === 0x7f) return '^?';
    if (code >= 0x80) return `M-^${String.fromCharCode(code - 0x80 + 64)}`;
    return `^${String.fromCharCode(code + 64)}`;
  });
}
