import type { AlertCondition } from './alert-event.js';
import type { Config } from '../config/load.js';
import type {
  BackupStatus,
  CpuUsage,
  FailedLogin,
  Filesystem,
  LoadAverage,
  MemoryInfo,
  TemperatureReading,
} from '../snapshot.js';

export type { AlertCondition } from './alert-event.js';

type Thresholds = Config['report']['thresholds'];

/** What sampling and collections both read. */
export interface ResourceState {
  load: LoadAverage | null;
  cpuCount: number | null;
  cpu: CpuUsage | null;
  memory: MemoryInfo | null;
  filesystems: Filesystem[];
  temperatures: TemperatureReading[] | null;
}

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

function compare(value: number, threshold: number, hysteresisPercent: number): boolean | null {
  if (value >= threshold) return true;
  if (value < threshold * (1 - hysteresisPercent / 100)) return false;
  return null;
}

/** The resource rules: disk and inode use per file system, load per CPU, CPU, memory, each sensor. */
export function resourceConditions(state: ResourceState, t: Thresholds): AlertCondition[] {
  const h = t.hysteresis_percent;
  const conditions: AlertCondition[] = [];
  for (const fs of state.filesystems) {
    const critical = fs.usedPercent >= t.disk_critical_percent;
    conditions.push({
      rule: 'disk',
      subject: fs.mount,
      severity: critical ? 'critical' : 'warning',
      value: fs.usedPercent,
      threshold: critical ? t.disk_critical_percent : t.disk_warn_percent,
      crossed: compare(fs.usedPercent, t.disk_warn_percent, h),
      message: `disk ${fs.mount} ${round(fs.usedPercent, 0)} %`,
    });
    if (fs.inodesTotal && fs.inodesUsed !== null) {
      const percent = (fs.inodesUsed / fs.inodesTotal) * 100;
      conditions.push({
        rule: 'inodes',
        subject: fs.mount,
        severity: 'warning',
        value: round(percent),
        threshold: t.inode_warn_percent,
        crossed: compare(percent, t.inode_warn_percent, h),
        message: `inodes ${fs.mount} ${round(percent, 0)} %`,
      });
    }
  }
  if (state.load && state.cpuCount) {
    const perCpu = state.load.one / state.cpuCount;
    const critical = perCpu >= t.load_per_cpu_critical;
    conditions.push({
      rule: 'load',
      subject: '',
      severity: critical ? 'critical' : 'warning',
      value: round(perCpu, 2),
      threshold: critical ? t.load_per_cpu_critical : t.load_per_cpu_warn,
      crossed: compare(perCpu, t.load_per_cpu_warn, h),
      message: `load ${round(state.load.one, 2)} (${round(perCpu, 2)} per CPU, ${state.cpuCount} CPUs)`,
    });
  }
  if (state.cpu) {
    conditions.push({
      rule: 'cpu',
      subject: '',
      severity: 'warning',
      value: state.cpu.usagePercent,
      threshold: t.cpu_warn_percent,
      crossed: compare(state.cpu.usagePercent, t.cpu_warn_percent, h),
      message: `CPU ${round(state.cpu.usagePercent, 0)} %`,
    });
  }
  if (state.memory) {
    conditions.push({
      rule: 'memory',
      subject: '',
      severity: 'warning',
      value: state.memory.usedPercent,
      threshold: t.memory_warn_percent,
      crossed: compare(state.memory.usedPercent, t.memory_warn_percent, h),
      message: `memory ${round(state.memory.usedPercent, 0)} %`,
    });
  }
  for (const sensor of state.temperatures ?? []) {
    conditions.push({
      rule: 'temperature',
      subject: sensor.sensor,
      severity: 'warning',
      value: sensor.celsius,
      threshold: t.temperature_warn_celsius,
      crossed: compare(sensor.celsius, t.temperature_warn_celsius, h),
      message: `temperature ${sensor.sensor} ${round(sensor.celsius, 0)} °C`,
    });
  }
  return conditions;
}

/** The collection's rules: failed logins per source, stale backups. */
export function collectionConditions(failed: FailedLogin[], backups: BackupStatus[], t: Thresholds): AlertCondition[] {
  const attempts = new Map<string, number>();
  for (const f of failed) attempts.set(f.sourceIp, (attempts.get(f.sourceIp) ?? 0) + f.count);
  const conditions: AlertCondition[] = [];
  for (const [source, count] of attempts) {
    conditions.push({
      rule: 'failed_logins',
      subject: source,
      severity: 'warning',
      value: count,
      threshold: t.brute_force_attempts,
      // A count of events in the window: no band, it clears when the source falls below.
      crossed: count >= t.brute_force_attempts,
      message: `${count} failed logins from ${source}`,
    });
  }
  for (const backup of backups) {
    conditions.push({
      rule: 'stale_backup',
      subject: backup.name,
      severity: 'warning',
      value: backup.ageHours ?? -1,
      threshold: backup.maxAgeHours,
      crossed: backup.stale,
      message:
        backup.ageHours === null
          ? `backup ${backup.name}: no file matches ${backup.path}`
          : `backup ${backup.name} is ${round(backup.ageHours, 0)} h old (limit ${backup.maxAgeHours} h)`,
    });
  }
  return conditions;
}

/** A host that failed `failures` rounds in a row. */
export function unreachableCondition(failures: number, reason: string, t: Thresholds): AlertCondition {
  return {
    rule: 'unreachable',
    subject: '',
    severity: 'critical',
    value: failures,
    threshold: t.unreachable_rounds,
    crossed: failures >= t.unreachable_rounds,
    message: failures > 0 ? `unreachable for ${failures} rounds: ${reason}` : 'reachable',
  };
}
