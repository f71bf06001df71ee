import type { TemperatureReading } from '@infra-report/shared';
import type { Parsed } from './parse-result.js';

/** Thermal zones and hwmon sensors, in millidegrees Celsius; a VM usually has none. */
export const temperatureCommand = [
  'for z in /sys/class/thermal/thermal_zone*; do',
  '  [ -r "$z/temp" ] || continue',
  '  echo "thermal $(cat "$z/type" 2>/dev/null | tr -c "A-Za-z0-9_.\\n-" _) $(cat "$z/temp" 2>/dev/null)"',
  'done',
  'for h in /sys/class/hwmon/hwmon*; do',
  '  n=$(cat "$h/name" 2>/dev/null | tr -c "A-Za-z0-9_.\\n-" _)',
  '  for t in "$h"/temp*_input; do',
  '    [ -r "$t" ] || continue',
  '    echo "hwmon ${n:-hwmon}_$(basename "$t" _input) $(cat "$t" 2>/dev/null)"',
  '  done',
  'done',
  'exit 0',
].join('\n');

/** Null when the host has no readable sensor: "no data" is not 0 °C. */
export function parseTemperatures(text: string): Parsed<TemperatureReading[] | null> {
  const readings: TemperatureReading[] = [];
  const problems: string[] = [];
  for (const line of text.split('\n')) {
    const match = /^(thermal|hwmon) (\S+) (-?\d+)$/.exec(line.trim());
    if (!match) {
      if (line.trim() !== '') problems.push(`unexpected sensor line: ${line.slice(0, 80)}`);
      continue;
    }
    const celsius = Number(match[3]) / 1000;
    // Disconnected sensors report absurd values (-273, 255, 0x7fff...): not a temperature.
    if (celsius < -50 || celsius > 150) continue;
    readings.push({ sensor: match[2] ?? '', celsius });
  }
  return { value: readings.length > 0 ? readings : null, problems };
}
