import { authLogProbe } from './auth-log-probe.js';
import { backupsProbe } from './backups.js';
import { certificatesProbe } from './certificates.js';
import { clockSyncProbe } from './clock-sync.js';
import { cpuProbe } from './cpu.js';
import { diskProbe } from './disk.js';
import { kernelProbe } from './kernel-events.js';
import { countersProbe } from './linux-counters.js';
import { listeningProbe } from './listening-ports.js';
import { memoryProbe } from './memory.js';
import type { Probe } from './probe.js';
import { processesProbe } from './processes.js';
import { sessionsProbe } from './sessions.js';
import { systemProbe } from './system.js';
import { failedUnitsProbe } from './systemd.js';
import { temperatureProbe } from './temperature.js';
import { updatesProbe } from './updates.js';

/**
 * Every probe of a Linux collection, in batch order. The CPU sample's one-second pause comes
 * late, so it overlaps nothing; the auth log comes last (the largest output).
 */
export const linuxProbes: readonly Probe[] = [
  systemProbe,
  memoryProbe,
  diskProbe,
  sessionsProbe,
  processesProbe,
  failedUnitsProbe,
  listeningProbe,
  temperatureProbe,
  countersProbe,
  kernelProbe,
  clockSyncProbe,
  updatesProbe,
  certificatesProbe,
  backupsProbe,
  cpuProbe,
  authLogProbe,
];
