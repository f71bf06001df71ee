import type { TemperatureReading } from '@infra-report/shared';
import type { Parsed } from './parse-result.js';
import { simpleProbe } from './probe.js';

/** Thermal zones and hwmon sensors, in millidegrees Celsius; a VM usually has none. */
export const temperatureCommand = [
  // Builtins only (read, printf, parameter expansion): no process per sensor, and no subshell:
  // it runs in the batch's own shell, so its variables are named for it.
  'for ir_temp_z in /sys/class/thermal/thermal_zone*; do',
  '  [ -r "$ir_temp_z/temp" ] || continue',
  '  read -r ir_temp_t 2>/dev/null < "$ir_temp_z/type" || ir_temp_t=thermal',
  '  read -r ir_temp_v 2>/dev/null < "$ir_temp_z/temp" || continue',
  '  printf "thermal %s %s\\n" "$ir_temp_t" "$ir_temp_v"',
  'done',
  'for ir_temp_h in /sys/class/hwmon/hwmon*; do',
  '  read -r ir_temp_n 2>/dev/null < "$ir_temp_h/name" || ir_temp_n=hwmon',
  '  for ir_temp_f in "$ir_temp_h"/temp*_input; do',
  '    [ -r "$ir_temp_f" ] || continue',
  '    read -r ir_temp_v 2>/dev/null < "$ir_temp_f" || continue',
  '    ir_temp_s=${ir_temp_f##*/}',
  '    printf "hwmon %s_%s %s\\n" "${ir_temp_n:-hwmon}" "${ir_temp_s%_input}" "$ir_temp_v"',
  '  done',
  'done',
  'true',
].join('\n');

/** Null when the host has no readable sensor: "no data" is not 0 °C. */
export function parseTemperatures(text: string): Parsed<TemperatureReading[] | null> {
  const readings: TemperatureReading[] = [];
  const problems: string[] = [];
  for (const line of text.split('\n')) {
    const match = /^(thermal|hwmon) (.+) (-?\d+)$/.exec(line.trim());
    if (!match) {
      if (line.trim() !== '') problems.push(`unexpected sensor line: ${line.slice(0, 80)}`);
      continue;
    }
    const celsius = Number(match[3]) / 1000;
    // Disconnected sensors report absurd values (-273, 255, 0x7fff...): not a temperature.
    if (celsius < -50 || celsius > 150) continue;
    // Sensor names come from drivers: keep them to one printable token.
    readings.push({ sensor: (match[2] ?? '').replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 100), celsius });
  }
  return { value: readings.length > 0 ? readings : null, problems };
}

/** Thermal zones and hwmon sensors; none is null, not 0. */
export const temperatureProbe = simpleProbe(
  'temperature',
  'temperatures',
  temperatureCommand,
  parseTemperatures,
  null,
  {
    inline: true,
  },
);
