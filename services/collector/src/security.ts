import { describeLoginSource, type HostSnapshot, type SecurityFinding } from '@infra-report/shared';

export interface SecuritySettings {
  /** Failed logins from one source IP in the window that make it a brute-force source. */
  bruteForceAttempts: number;
  /** "22/tcp" ... expected listening ports; null when not checked. */
  allowedPorts: string[] | null;
}

/** The security signals of one host, from what was collected; most severe first. */
export function findSecurityIssues(
  snapshot: Omit<HostSnapshot, 'security'>,
  settings: SecuritySettings,
): SecurityFinding[] {
  const findings: SecurityFinding[] = [];
  const failuresBySource = new Map<string, { attempts: number; first: string }>();
  for (const f of snapshot.logins.failed) {
    const entry = failuresBySource.get(f.sourceIp) ?? { attempts: 0, first: f.time };
    entry.attempts += f.count;
    if (f.time < entry.first) entry.first = f.time;
    failuresBySource.set(f.sourceIp, entry);
  }
  for (const [source, { attempts }] of failuresBySource) {
    if (source !== '' && attempts >= settings.bruteForceAttempts) {
      findings.push({
        severity: 'warning',
        kind: 'brute-force',
        message: `${attempts} failed SSH logins from ${describeLoginSource(source)}`,
        amount: attempts,
      });
    }
  }
  for (const login of snapshot.logins.accepted) {
    const before = snapshot.logins.failed
      .filter((f) => f.sourceIp === login.sourceIp && f.time <= login.time)
      .reduce((n, f) => n + f.count, 0);
    if (login.sourceIp !== '' && before >= settings.bruteForceAttempts) {
      findings.push({
        severity: 'critical',
        kind: 'possible-compromise',
        message: `${login.user} logged in from ${login.sourceIp} at ${login.time} after ${before} failed attempts from that address`,
      });
    }
  }
  const invalidUsers = new Set([
    ...snapshot.logins.signals.filter((s) => s.kind === 'invalid-user').map((s) => s.user),
    ...snapshot.logins.failed.filter((f) => f.kind === 'invalid-user').map((f) => f.user),
  ]);
  if (invalidUsers.size > 0) {
    const names = [...invalidUsers].sort();
    findings.push({
      severity: 'warning',
      kind: 'invalid-usernames',
      message: `${names.length} non-existent user name(s) tried: ${names.slice(0, 15).join(', ')}${names.length > 15 ? ', …' : ''}`,
    });
  }
  for (const p of snapshot.suspiciousProcesses) {
    findings.push({
      severity: 'critical',
      kind: 'suspicious-process',
      message: p.executable.startsWith('/memfd:')
        ? `process ${p.pid} runs from an in-memory file (${p.executable}): fileless malware does this, and so do some container runtimes`
        : p.deleted
          ? `process ${p.pid} runs a deleted executable (${p.executable})`
          : `process ${p.pid} runs from ${p.executable}`,
    });
  }
  if (settings.allowedPorts) {
    const allowed = new Set(settings.allowedPorts);
    for (const socket of snapshot.listening) {
      if (!allowed.has(`${socket.port}/${socket.protocol}`)) {
        findings.push({
          severity: 'warning',
          kind: 'unexpected-port',
          message: `${socket.protocol.toUpperCase()} port ${socket.port} listening on ${socket.address}, not in the allow list`,
        });
      }
    }
  }
  for (const backup of snapshot.backups) {
    if (!backup.newestFile)
      findings.push({
        severity: 'critical',
        kind: 'stale-backup',
        message: `backup "${backup.name}": no file matches ${backup.path}`,
      });
    else if (backup.stale)
      findings.push({
        severity: 'warning',
        kind: 'stale-backup',
        message: `backup "${backup.name}": newest file ${backup.newestFile} is ${backup.ageHours} h old (limit ${backup.maxAgeHours} h)`,
      });
  }
  // Most severe first, then the largest (the busiest brute-force source first).
  const rank = { critical: 0, warning: 1 };
  return findings.sort((a, b) => rank[a.severity] - rank[b.severity] || (b.amount ?? 0) - (a.amount ?? 0));
}
