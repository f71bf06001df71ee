import type { ListeningSocket } from '@infra-report/shared';
import type { Parsed } from './parse-result.js';
import { simpleProbe } from './probe.js';

/**
 * Listening TCP and unconnected UDP sockets, readable by any user. `ss -ltun` asks the kernel
 * (sock_diag) for those states only; reading /proc/net/tcp instead walks the whole established
 * table, whose size grows with RAM (262,144 buckets at 24 GiB: 10 ms of CPU for the four tables
 * against 3 ms for ss). Where ss is missing, the tables are read and only LISTEN (TCP 0A) and
 * unconnected (UDP 07) sockets leave the host.
 */
export const listeningPortsCommand = [
  'if command -v ss >/dev/null 2>&1; then echo "ir-ss"; ss -ltun',
  'else',
  // One awk over the tables that exist (no IPv6 tables on a host booted with ipv6.disable=1).
  '  set --; for ir_listen_t in tcp tcp6 udp udp6; do [ -r /proc/net/$ir_listen_t ] && set -- "$@" /proc/net/$ir_listen_t; done',
  '  [ $# -eq 0 ] || awk \'FNR == 1 { t = FILENAME; sub(/.*\\//, "", t); print "table " t; next }',
  // Only the local address:port of each match leaves the host: ~20 bytes a socket, not ~150.
  '    (t ~ /^tcp/ && $4 == "0A") || (t ~ /^udp/ && $4 == "07" && $3 ~ /:0000$/) { print $2 }\' "$@"',
  'fi',
].join('\n');

/** TCP sockets in LISTEN and UDP sockets bound with no peer, deduplicated by protocol/address/port. */
export function parseListeningPorts(text: string): Parsed<ListeningSocket[]> {
  const [first, ...rest] = text.split('\n');
  const read = first === 'ir-ss' ? readSsLines(rest) : readProcNetLines(text.split('\n'));
  const sockets = new Map<string, ListeningSocket>();
  for (const socket of read.sockets) sockets.set(`${socket.protocol}/${socket.address}/${socket.port}`, socket);
  return {
    value: [...sockets.values()].sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol)),
    problems: read.problems,
  };
}

/**
 * `ss -ltun`: "Netid State Recv-Q Send-Q Local-Address:Port Peer-Address:Port". Addresses as ss
 * writes them: "0.0.0.0", "[::1]", "127.0.0.53%lo" (bound to an interface), and "*" (every
 * address: a dual-stack IPv6 socket in iproute2 4.16 and later, IPv4 before) kept as "*".
 * Old iproute2 writes IPv6 without brackets (":::22"): the port is after the last colon.
 */
function readSsLines(lines: string[]): { sockets: ListeningSocket[]; problems: string[] } {
  const sockets: ListeningSocket[] = [];
  const problems: string[] = [];
  for (const line of lines) {
    if (line.trim() === '' || /^Netid\s/.test(line)) continue;
    const match = /^(tcp|udp)\s+(LISTEN|UNCONN)\s+\d+\s+\d+\s+(\S+):(\d+|\*)\s/.exec(line);
    if (!match?.[1] || !match[3] || !match[4] || match[4] === '*') {
      if (problems.length < 5) problems.push(`unexpected ss line: ${line.slice(0, 80)}`);
      continue;
    }
    const address = match[3].replace(/^\[(.*)\]$/, '$1').replace(/%[^%]*$/, '');
    sockets.push({ protocol: match[1] as 'tcp' | 'udp', address, port: Number(match[4]) });
  }
  return { sockets, problems };
}

/** "table tcp6" headers, then the local address of each kept socket as the kernel writes it. */
function readProcNetLines(lines: string[]): { sockets: ListeningSocket[]; problems: string[] } {
  const sockets: ListeningSocket[] = [];
  const problems: string[] = [];
  let table = '';
  for (const line of lines) {
    const header = /^table (tcp6?|udp6?)$/.exec(line);
    if (header?.[1]) {
      table = header[1];
      continue;
    }
    if (line.trim() === '') continue;
    // The host's awk already kept LISTEN (TCP 0A) and unconnected UDP (07) sockets only.
    const match = /^([0-9A-F]{8}|[0-9A-F]{32}):([0-9A-F]{4})$/.exec(line.trim());
    if (!match?.[1] || !match[2] || !table) {
      if (problems.length < 5) problems.push(`unexpected socket line: ${line.slice(0, 80)}`);
      continue;
    }
    sockets.push({
      protocol: table.startsWith('tcp') ? 'tcp' : 'udp',
      address: decodeAddress(match[1]),
      port: parseInt(match[2], 16),
    });
  }
  return { sockets, problems };
}

/** /proc/net addresses are little-endian 32-bit words. */
function decodeAddress(hex: string): string {
  if (hex.length === 8) {
    const word = parseInt(hex, 16);
    return `${word & 255}.${(word >>> 8) & 255}.${(word >>> 16) & 255}.${word >>> 24}`;
  }
  const words = hex.match(/.{8}/g) ?? [];
  const bytes = words.flatMap((w) => (w.match(/../g) ?? []).reverse().map((b) => parseInt(b, 16)));
  if (bytes.length === 4) return bytes.join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16));
  // Compress the longest run of zero groups, as inet_ntop does.
  const text = groups.join(':');
  const runs = [...text.matchAll(/(?:^|:)0(?::0)+(?::|$)/g)].sort((a, b) => b[0].length - a[0].length);
  const longest = runs[0];
  if (!longest) return text;
  return `${text.slice(0, longest.index)}::${text.slice((longest.index ?? 0) + longest[0].length)}`
    .replace(/^:::/, '::')
    .replace(/:::$/, '::');
}

/**
 * Listening sockets (checked against the allow list by the security findings). Not capped on
 * the host: every port of two protocols in two families stays far below the collector's cap,
 * so a head process there would never cut anything. In the batch's own shell (no subshell):
 * its one variable is ir_listen_t, and the positional parameters it sets are nobody else's.
 */
export const listeningProbe = simpleProbe('listening', 'listening', listeningPortsCommand, parseListeningPorts, [], {
  inline: true,
});
