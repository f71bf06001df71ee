import { Counter, type Registry } from 'prom-client';
import type { InfluxStore } from '../stores/influx-store.js';

/** Counts what reaches InfluxDB: points written, and writes it refused or did not answer. */
export function instrumentInfluxWrites<S extends InfluxStore>(store: S, registry: Registry): S {
  const written = new Counter({
    name: 'infra_report_influx_points_written_total',
    help: 'Points InfluxDB accepted (buffered points count when they finally go out)',
    registers: [registry],
  });
  const errors = new Counter({
    name: 'infra_report_influx_write_errors_total',
    help: 'Writes InfluxDB refused or did not answer (their points wait in the buffer)',
    registers: [registry],
  });
  return {
    ...store,
    async writeLines(lines: string[]) {
      try {
        await store.writeLines(lines);
      } catch (error) {
        errors.inc();
        throw error;
      }
      written.inc(lines.length);
    },
  };
}
