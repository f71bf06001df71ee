// Renders a 40-host run whose hosts share their findings (the renderer's fleet test run) to docs/
// as PNG pages (pdftoppm), so the README can show what a report looks like. Usage: node scripts/render-sample-report.mjs
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createFilesystemArtifactStore, parseConfig, silentLogger } from '@infra-report/shared';
import { renderRun } from '@infra-report/renderer';
import { fleetRun } from '@infra-report/testkit';

const dir = mkdtempSync(path.join(tmpdir(), 'ir-sample-'));
const report = parseConfig('report: { timezone: Europe/Paris, company: Example Corp }\n', 'sample.yaml', {
  env: {},
}).report;
await renderRun(fleetRun(40), {
  artifacts: createFilesystemArtifactStore(dir),
  report,
  now: () => new Date('2026-11-22T07:01:00Z'),
  logger: silentLogger(),
});
const pdf = readdirSync(dir).find((f) => f.endsWith('.pdf'));
execFileSync('pdftoppm', ['-r', '80', '-png', path.join(dir, pdf), path.join(dir, 'page')]);
for (const file of readdirSync(dir).filter((f) => f.startsWith('page-'))) {
  const page = Number(/page-0*(\d+)\.png/.exec(file)[1]);
  if (page > 3) continue;
  renameSync(path.join(dir, file), path.join('docs', `sample-report-page-${page}.png`));
}
console.log(`sample report pages written to docs/ from ${path.join(dir, pdf)}`);
