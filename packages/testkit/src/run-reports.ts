import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';

/**
 * What a one-process run wrote to `<dir>/reports`: its PDF as text (pdftotext -layout, as a
 * reader would copy it) and the path of its XLSX, for a real reader to open.
 */
export function runReports(dir: string): { pdfText: string; xlsxFile: string } {
  const reports = readdirSync(path.join(dir, 'reports'));
  const file = (suffix: string) => {
    const name = reports.find((f) => f.endsWith(suffix));
    if (!name) throw new Error(`no ${suffix} in ${dir}/reports: ${reports.join(', ') || 'empty'}`);
    return path.join(dir, 'reports', name);
  };
  return {
    pdfText: execFileSync('pdftotext', ['-layout', file('.pdf'), '-'], { encoding: 'utf8' }),
    xlsxFile: file('.xlsx'),
  };
}
