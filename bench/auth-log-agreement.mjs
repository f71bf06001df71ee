// How far infra-report's failed-attempt counts per source agree with an independently annotated
// collection of sshd lines, in the notation of fail2ban's test logs ("# failJSON: {...}" before
// each line, "match" and "host" saying how fail2ban reads it). The collection is not in this
// repository, on purpose: it stays an honest check. Lines of the families the report shows apart
// (scans, pre-auth disconnects, tcp_wrappers refusals: probes, never attempts) are left out.
//
//   node bench/auth-log-agreement.mjs path/to/annotated-sshd.log
//
// Prints: attempt lines expected and found (per source, at most the expected number each), and of
// the attempts counted how many agree; then every source that differs.
import { readFileSync } from 'node:fs';
import { normaliseSource, parseAuthLog } from '@infra-report/collector';

const file = process.argv[2];
if (!file) {
  console.error('usage: node bench/auth-log-agreement.mjs ANNOTATED_LOG');
  process.exit(2);
}
const shownApart =
  /Did not receive identification|Bad protocol version|Protocol major|banner exchange|kex_exchange_identification|Unable to negotiate|no matching .* found|refused connect|Received disconnect|Disconnect(ed|ing)|Connection (closed|reset)|Read from socket|Timeout before authentication|maximum authentication attempts/;
const lines = readFileSync(file, 'utf8').split('\n');
const expected = new Map();
const logLines = [];
for (let i = 0; i < lines.length; i += 1) {
  const annotation = /^# failJSON: (.*)$/.exec(lines[i]);
  if (!annotation) continue;
  const reading = JSON.parse(annotation[1]);
  const line = lines[i + 1] ?? '';
  logLines.push(line);
  if (!reading.match || !reading.host || shownApart.test(line)) continue;
  const source = normaliseSource(reading.host) ?? reading.host;
  expected.set(source, (expected.get(source) ?? 0) + 1);
}
// Every line inside the window; the year of year-less lines is read as the collection's.
const parsed = parseAuthLog(logLines.join('\n'), {
  windowStart: new Date('1990-01-01T00:00:00Z'),
  windowEnd: new Date('2100-01-01T00:00:00Z'),
  hostNow: new Date(),
  utcOffset: '+0000',
  timeZone: 'UTC',
});
const ours = new Map();
for (const f of parsed.value.failed) ours.set(f.sourceIp, (ours.get(f.sourceIp) ?? 0) + f.count);
let want = 0;
let found = 0;
for (const [source, n] of expected) {
  want += n;
  found += Math.min(n, ours.get(source) ?? 0);
}
const counted = [...ours.values()].reduce((a, b) => a + b, 0);
const percent = (a, b) => (b === 0 ? '-' : `${Math.round((100 * a) / b)}%`);
console.log(
  `attempt lines: ${want} over ${expected.size} sources; found ${found} (${percent(found, want)}); ` +
    `attempts counted ${counted}, agreeing ${found} (${percent(found, counted)})`,
);
for (const [source, n] of expected)
  if ((ours.get(source) ?? 0) !== n) console.log(`  ${source}: expected ${n}, counted ${ours.get(source) ?? 0}`);
for (const [source, n] of ours) if (!expected.has(source)) console.log(`  ${source}: not expected, counted ${n}`);
for (const problem of parsed.problems) console.log(`  problem: ${problem}`);
