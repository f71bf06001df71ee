import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as XLSX from 'xlsx';
import { createFilesystemArtifactStore, planRun, silentLogger } from '@infra-report/shared';
import { collectHost, collectionScript, createRunnerFactory, linuxProbes, type Probe } from '@infra-report/collector';
import { renderRun } from '@infra-report/renderer';
import { fleetConfig, fleetHost } from '@infra-report/testkit';

/**
 * A probe is one module: its command and its parser. This one (the kernel's entropy pool, a
 * small reading no probe has) is added to the registry here and nowhere else: it is in the
 * batch, in the snapshot, and in the report, with no change to the collection or the renderer.
 */
const entropyProbe: Probe = {
  name: 'entropy',
  commands: () => [{ name: 'entropy', script: 'ir_cat /proc/sys/kernel/random/entropy_avail' }],
  parse: (sections) => ({
    readings: {
      'entropy available (bits)': sections.read(
        'entropy',
        (text) =>
          /^\d+$/.test(text.trim())
            ? { value: Number(text.trim()), problems: [] }
            : { value: null, problems: [`unexpected entropy_avail: ${text.slice(0, 40)}`] },
        null,
      ),
    },
  }),
};

describe('the probe registry', () => {
  it('takes a probe added by one module into the batch, the snapshot and the report', async () => {
    const config = fleetConfig([{ index: 2 }]);
    const host = fleetHost(config, 'host2');
    const { spec } = planRun(config, {}, new Date());
    const probes = [...linuxProbes, entropyProbe];

    expect(collectionScript(host, spec, null, 'n', null)).not.toContain('begin entropy\\n');
    expect(collectionScript(host, spec, null, 'n', null, probes)).toContain(
      "printf '%s begin entropy\\n' '@@ir-n@@'\n( ir_cat /proc/sys/kernel/random/entropy_avail",
    );

    const snapshot = await collectHost(host, spec, {
      openRunner: createRunnerFactory(config.home),
      influx: undefined,
      now: () => new Date(),
      logger: silentLogger(),
      probes,
    });
    // The host is this machine: its own pool, read by the test too.
    const expected = Number(execFileSync('cat', ['/proc/sys/kernel/random/entropy_avail'], { encoding: 'utf8' }));
    expect(snapshot.readings?.['entropy available (bits)']).toBeGreaterThan(0);
    expect(Math.abs(Number(snapshot.readings?.['entropy available (bits)']) - expected)).toBeLessThan(4096);
    expect(snapshot.problems.filter((p) => p.probe === 'entropy')).toEqual([]);

    const dir = mkdtempSync(path.join(tmpdir(), 'ir-probe-registry-'));
    const artifacts = createFilesystemArtifactStore(dir);
    const rendered = await renderRun(
      { run: spec, snapshots: [snapshot], failures: [] },
      { artifacts, report: config.report, now: () => new Date(), logger: silentLogger() },
    );
    const file = (suffix: string) =>
      artifacts.describe(rendered.artifacts.find((a) => a.fileName.endsWith(suffix))!.key);
    const pdf = execFileSync('pdftotext', ['-layout', file('.pdf'), '-'], { encoding: 'utf8' });
    expect(pdf).toMatch(/readings: entropy available \(bits\) \d+/);
    const workbook = XLSX.readFile(file('.xlsx'));
    expect(XLSX.utils.sheet_to_json(workbook.Sheets['Readings']!)).toEqual([
      { Host: 'host2', Reading: 'entropy available (bits)', Value: snapshot.readings?.['entropy available (bits)'] },
    ]);
  });
});
