import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { newSilence } from './alert-silences.js';
import { createFileAlertStateStore } from './alert-state.js';

describe('the alert state in report.state_dir', () => {
  it('sees what another process wrote (a silence added while watch runs), and keeps its own transitions', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ir-alert-state-'));
    const watch = createFileAlertStateStore(dir);
    const cli = createFileAlertStateStore(dir);
    const now = new Date();
    expect(await watch.silences()).toEqual([]);
    const fired = {
      key: 'disk:/var',
      rule: 'disk',
      subject: '/var',
      severity: 'critical' as const,
      message: 'disk /var 97 %',
      firedAt: now.toISOString(),
    };
    expect(await watch.fire('web1', fired)).toBe(true);
    const silence = newSilence({ host: 'web*', rule: 'disk', durationSeconds: 3600, createdBy: 'alice' }, now);
    await cli.addSilence(silence);
    // The watch process reads the file again because it changed, not from its own copy.
    expect((await watch.silences()).map((s) => s.id)).toEqual([silence.id]);
    expect((await watch.firing('web1')).map((a) => a.key)).toEqual(['disk:/var']);
    expect(await watch.fire('web1', fired)).toBe(false);
    // And the CLI sees the watch's alert.
    expect((await cli.allFiring()).map((f) => f.host)).toEqual(['web1']);
  });
});
