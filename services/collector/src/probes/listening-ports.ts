import type { ListeningSocket } from '@infra-report/shared';
import type { Parsed } from './parse-result.js';
import { simpleProbe } from './probe.js';

/**
 * The kernel's socket tables: no ss or netstat needed, readable by any user. Only listening
 * (TCP 0A) and unconnected (UDP 07) sockets leave the host; a busy server has thousands of others.
 */
export const listeningPortsCommand = [
  // One awk over the tables that exist (no IPv6 tables on a host booted with ipv6.disable=1).
  'set --; for t in tcp tcp6 udp udp6; do [ -r /proc/net/$t ] && set -- "$@" /proc/net/$t; done',
  '[ $# -eq 0 ] || awk \'FNR == 1 { t = FILENAME; sub(/.*\\//, "", t); print "table " t; next }',
  // Only the local address:port of each match leaves the host: ~20 bytes a socket, not ~150.
  '  (t ~ /^tcp/ && $4 == "0A") || (t ~ /^udp/ && $4 == "07" && $3 ~ /:0000$/) { print $2 }\' "$@"',
].join('\n');

/** TCP sockets in LISTEN (0A) and UDP sockets bound with no peer (07), deduplicated by protocol/address/port. */
export function parseListeningPorts(text: string): Parsed<ListeningSocket[]> {
  const sockets = new Map<string, ListeningSocket>();
  const problems: string[] = [];
  let table = '';
  for (const line of text.split('\n')) {
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
    const socket: ListeningSocket = {
      protocol: table.startsWith('tcp') ? 'tcp' : 'udp',
      address: decodeAddress(match[1]),
      port: parseInt(match[2], 16),
    };
    sockets.set(`${socket.protocol}/${socket.address}/${socket.port}`, socket);
  }
  return {
    value: [...sockets.values()].sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol)),
    problems,
  };
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

/** Listening sockets (checked against the allow list by the security findings). */
export const listeningProbe = simpleProbe('listening', 'listening', listeningPortsCommand, parseListeningPorts, [], {
  large: true,
});
