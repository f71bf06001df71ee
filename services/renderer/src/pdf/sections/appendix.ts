import { type HostSnapshot, printable } from '@infra-report/shared';
import { formatBytes, formatDuration, isExpectedCondition, type ReportModel } from '../../report-model.js';
import { reportSections } from '../../report-sections.js';
import { type PdfWriter, pageWidth, count, pct } from '../pdf-writer.js';

/** One compact block per host: everything collected about it, for the person who owns it. */
export function appendix(w: PdfWriter, model: ReportModel): void {
  const { doc } = w;
  w.pageHeading(reportSections.appendix.title);
  w.note('Hosts with something in Needs attention come first.');
  for (const condition of model.expectedConditions) w.note(condition);
  if (model.appendixOmitted > 0)
    w.note(
      `${count(model.appendixOmitted)} more host(s) are not shown here (report.appendix_max_hosts); the XLSX has every host.`,
    );
  let group: string | undefined;
  for (const { group: hostGroup, snapshot: s } of model.appendixHosts) {
    if (doc.y > doc.page.height - 160) doc.addPage();
    if (hostGroup !== group && model.groups.length > 1) {
      group = hostGroup;
      w.outlineItem(`Group ${printable(hostGroup)}`);
      doc
        .font(w.fonts.forText(hostGroup, 'bold'))
        .fontSize(11)
        .fillColor('#555555')
        .text(`Group ${printable(hostGroup)}`, 40)
        .fillColor('#000000');
    }
    doc
      .font(w.fonts.forText(s.host, 'bold'))
      .fontSize(10)
      .text(`${printable(s.host)}  (${printable(s.address)})`, 40);
    const line = (text: string) =>
      doc
        .font(w.fonts.forText(text))
        .fontSize(8)
        .text(printable(text), 50, undefined, { width: pageWidth - 10 });
    line(
      `${s.os.prettyName ?? 'unknown OS'}, ${s.os.kernel ?? ''} ${s.os.arch ?? ''}; ${s.cpuCount ?? '?'} CPU(s); up ${s.uptimeSeconds === null ? '?' : formatDuration(s.uptimeSeconds)}; SSH ${s.sshLatencyMs === null ? 'local' : `${s.sshLatencyMs} ms`}`,
    );
    const packages = packageCheckSummary(s.updates);
    if (packages) line(packages);
    line(
      `load ${s.load ? `${s.load.one} ${s.load.five} ${s.load.fifteen}` : '?'}; CPU ${pct(s.cpu?.usagePercent ?? null)}; memory ${s.memory ? `${s.memory.usedPercent}% of ${formatBytes(s.memory.totalBytes)}` : '?'}; processes ${s.processes?.total ?? '?'} (${s.processes?.zombies ?? 0} zombie)`,
    );
    line(
      `disks: ${s.filesystems.map((f) => `${f.mount} ${f.usedPercent}% of ${formatBytes(f.sizeBytes)}`).join('; ') || 'none'}`,
    );
    line(
      `logins: ${s.logins.accepted.length} accepted, ${s.logins.failed.reduce((n, f) => n + f.count, 0)} failed, ${s.logins.privilege.length} sudo/su; now logged in: ${s.usersNow.map((u) => u.user).join(', ') || 'nobody'}`,
    );
    if (s.listening.length > 0) line(`listening: ${listeningSummary(s.listening)}`);
    const readings = Object.entries(s.readings ?? {});
    if (readings.length > 0)
      line(
        `readings: ${readings.map(([name, value]) => `${printable(name, 100)} ${value === null ? '?' : printable(String(value), 200)}`).join('; ')}`,
      );
    // The collector orders findings: most severe, then largest.
    for (const finding of s.security) line(`${finding.severity.toUpperCase()}: ${finding.message}`);
    for (const problem of s.problems)
      if (!isExpectedCondition(problem)) line(`gap (${problem.probe}): ${problem.message}`);
    doc.moveDown(0.5);
  }
}

/** "22/tcp (0.0.0.0, ::), 53/udp (127.0.0.53)": each port once, with the addresses it listens on. */
function listeningSummary(listening: HostSnapshot['listening']): string {
  const byPort = new Map<string, Set<string>>();
  for (const l of listening) {
    const key = `${l.port}/${l.protocol}`;
    byPort.set(key, (byPort.get(key) ?? new Set()).add(l.address));
  }
  return [...byPort.entries()]
    .sort(([a], [b]) => parseInt(a, 10) - parseInt(b, 10) || a.localeCompare(b))
    .map(([port, addresses]) => `${port} (${[...addresses].join(', ')})`)
    .join(', ');
}

/** How the host's pending updates were found, and what that cost the host (README: package check). */
export function packageCheckSummary(updates: HostSnapshot['updates']): string | null {
  if (!updates?.manager || !updates.answer) return null;
  const checked = updates.checkedAt ? ` ${updates.checkedAt.slice(0, 16).replace('T', ' ')} UTC` : '';
  switch (updates.answer) {
    case 'simulated':
      return `package check: ${updates.manager} simulated at idle priority, ${updates.checkCpuMs === null || updates.checkCpuMs === undefined ? '?' : `${(updates.checkCpuMs / 1000).toFixed(2)} s`} of host CPU`;
    case 'precomputed':
      return `package check: update-notifier's answer of${checked} read (no simulation, no CPU)`;
    case 'unchanged':
      return `package check: package state unchanged since${checked || ' the last check'}, not run`;
    case 'deferred':
      return `package check: package state changed, but checked${checked || ' less than a day ago'}; checked again after a day`;
  }
}
