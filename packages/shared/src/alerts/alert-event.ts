import type { AlertRuleName, AlertSource } from '../config/schema.js';

/** One rule applied to one subject of a host (a file system, a sensor, a source address). */
export interface AlertCondition {
  rule: AlertRuleName;
  /** What the rule is about on the host: "/var", "coretemp_package_id_0", "198.51.100.7", "" for the host. */
  subject: string;
  severity: 'critical' | 'warning';
  value: number;
  /** The threshold crossed at this severity (shown in roll-ups); `crossed` is against the warning threshold. */
  threshold: number;
  /** true: crossed; false: clear (below the threshold by the hysteresis); null: in between, unchanged. */
  crossed: boolean | null;
  /** What the alert says: "disk /var 97 %", "inodes /var 91 %", "load 5.2 per CPU (4 CPUs)". */
  message: string;
}

/** An alert, its escalation or its recovery, to be delivered once (its id is the same for every worker). */
export interface AlertEvent {
  id: string;
  kind: 'alert' | 'recovery';
  host: string;
  groups: string[];
  rule: string;
  subject: string;
  severity: 'critical' | 'warning';
  message: string;
  at: string;
  /** When the alert fired (for a recovery: how long it lasted). */
  firedAt: string;
  /** The figure and the threshold it crossed (for roll-ups: "load over 4 per CPU: web2 8.9"). */
  value?: number;
  threshold?: number;
  /** A firing warning that became critical. */
  escalated?: boolean;
  /** What saw it: a sampling round or a daily collection. */
  source?: AlertSource;
}
