import type { Filesystem } from '@infra-report/shared';
import { excerpt, type Parsed } from './parse-result.js';
import type { Probe } from './probe.js';

/** Bytes, with the type column; a hung NFS mount must not hang the whole collection. */
export const diskCommand = 'if command -v timeout >/dev/null 2>&1; then timeout 30 df -P -B1 -T; else df -P -B1 -T; fi';
export const inodeCommand = 'if command -v timeout >/dev/null 2>&1; then timeout 30 df -P -i; else df -P -i; fi';

/** Kernel and virtual filesystems that are not storage anyone runs out of. */
const pseudoFilesystemTypes = new Set([
  'tmpfs',
  'devtmpfs',
  'devfs',
  'proc',
  'sysfs',
  'cgroup',
  'cgroup2',
  'squashfs',
  'efivarfs',
  'ramfs',
  'securityfs',
  'debugfs',
  'tracefs',
  'configfs',
  'fusectl',
  'mqueue',
  'hugetlbfs',
  'pstore',
  'bpf',
  'autofs',
  'nsfs',
  'binfmt_misc',
]);

/**
 * `df -P -B1 -T`: "Filesystem Type 1-blocks Used Available Capacity Mounted on".
 * Mount points may contain spaces, so everything after the capacity column is the mount.
 */
export function parseDfOutput(text: string): Parsed<Filesystem[]> {
  const filesystems: Filesystem[] = [];
  const problems: string[] = [];
  const seenMounts = new Set<string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '' || /^Filesystem\s/.test(line)) continue;
    const match = /^(\S+)\s+(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+%|-)\s+(\/.*)$/.exec(line);
    if (!match) {
      problems.push(line.startsWith('df:') ? excerpt(line, 200) : `unexpected df line: ${excerpt(line)}`);
      continue;
    }
    const [, device, fsType, size, used, available, , mount] = match as unknown as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    if (pseudoFilesystemTypes.has(fsType) || seenMounts.has(mount)) continue;
    seenMounts.add(mount);
    const usedBytes = Number(used);
    const availableBytes = Number(available);
    const denominator = usedBytes + availableBytes;
    filesystems.push({
      device,
      fsType,
      mount,
      sizeBytes: Number(size),
      usedBytes,
      availableBytes,
      // df's own rounding: used / (used + available), rounded up; root-reserved blocks count as unavailable.
      usedPercent: denominator === 0 ? 0 : Math.ceil((usedBytes * 100) / denominator),
      inodesTotal: null,
      inodesUsed: null,
      inodesFree: null,
    });
  }
  return { value: filesystems, problems };
}

/** `df -P -i`: "Filesystem Inodes IUsed IFree IUse% Mounted on", merged into the filesystems by mount point. */
export function mergeDfInodes(filesystems: Filesystem[], text: string): Parsed<Filesystem[]> {
  const byMount = new Map<string, [number, number, number]>();
  for (const line of text.split('\n')) {
    const match = /^\S+\s+(\d+)\s+(\d+)\s+(\d+)\s+(?:\d+%|-)\s+(\/.*)$/.exec(line);
    if (match?.[4]) byMount.set(match[4], [Number(match[1]), Number(match[2]), Number(match[3])]);
  }
  return {
    value: filesystems.map((fs) => {
      const inodes = byMount.get(fs.mount);
      // df reports 0 inodes for filesystems without a fixed inode table: unknown, not "0 free".
      if (!inodes || inodes[0] === 0) return fs;
      return { ...fs, inodesTotal: inodes[0], inodesUsed: inodes[1], inodesFree: inodes[2] };
    }),
    problems: [],
  };
}

/** File systems (df -P -B1 -T) with their inodes (df -P -i). */
export const diskProbe: Probe = {
  name: 'disk',
  commands: () => [
    { name: 'df', script: diskCommand, large: true },
    { name: 'df-inodes', script: inodeCommand, large: true },
  ],
  parse(sections) {
    const filesystems = sections.read('df', parseDfOutput, [] as Filesystem[]);
    return {
      filesystems: sections.has('df-inodes')
        ? sections.read('df-inodes', (text) => mergeDfInodes(filesystems, text), filesystems)
        : filesystems,
    };
  },
};
