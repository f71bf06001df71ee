import type { TemperatureReading } from '@infra-report/shared';
import type { Parsed } from './parse-result.js';
import { simpleProbe } from './probe.js';

/** Thermal zones and hwmon sensors, in millidegrees Celsius; a VM usually has none. */
export const temperatureCommand = [
  // Builtins only (read, printf, parameter expansion): no process per sensor.
  'for z in /sys/class/thermal/thermal_zone*; do',
  '  [ -r "$z/temp" ] || continue',
  '  read -r ir_t 2>/dev/null < "$z/type" || ir_t=thermal',
  '  read -r ir_v 2>/dev/null < "$z/temp" || continue',
  '  printf "thermal %s %s\\n" "$ir_t" "$ir_v"',
  'done',
  'for h in /sys/class/hwmon/hwmon*; do',
  '  read -r ir_n 2>/dev/null < "$h/name" || ir_n=hwmon',
  '  for t in "$h"/temp*_input; do',
  '    [ -r "$t" ] || continue',
  '    read -r ir_v 2>/dev/null < "$t" || continue',
  '    ir_s=${t##*/}',
  '    printf "hwmon %s_%s %s\\n" "${ir_n:-hwmon}" "${ir_s%_input}" "$ir_v"',
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
export const temperatureProbe = simpleProbe('temperature', 'temperatures', temperatureCommand, parseTemperatures, null);
