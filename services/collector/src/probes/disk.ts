import type { Filesystem } from '@infra-report/shared';
import { excerpt, type Parsed } from './parse-result.js';
import type { Probe } from './probe.js';

/**
 * Bytes and inodes of every file system from one df (GNU's --output: one process, one statfs
 * per mount). Where df has no --output (busybox, coreutils before 8.21), `df -P -B1 -T` and
 * `df -P -i` after an "ir-df-posix" line. A hung NFS mount must not hang the whole collection:
 * timeout ends df after 30 s, and a df that timed out is not run again.
 */
export const diskCommand = [
  'ir_disk() {',
  '  if command -v timeout >/dev/null 2>&1; then ir_disk_t="timeout 30"; else ir_disk_t=""; fi',
  '  ir_disk_out=$($ir_disk_t df -B1 --output=source,fstype,size,used,avail,itotal,iused,iavail,target 2>&1)',
  '  ir_disk_rc=$?',
  '  case $ir_disk_out in *" IFree Mounted on"*) printf \'%s\\n\' "$ir_disk_out"; return $ir_disk_rc;; esac',
  '  if [ $ir_disk_rc = 124 ]; then printf \'%s\\n\' "$ir_disk_out"; return 124; fi',
  '  echo ir-df-posix; $ir_disk_t df -P -B1 -T; ir_disk_rc=$?; echo ir-df-inodes; $ir_disk_t df -P -i',
  '  return $ir_disk_rc',
  '}',
  'ir_disk',
].join('\n');

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
 * The disk section: df --output's table, or the POSIX fallback's two tables. Mount points may
 * contain spaces, so everything after the last number column is the mount.
 */
export function parseDiskSection(text: string): Parsed<Filesystem[]> {
  const lines = text.split('\n');
  const posixAt = lines.indexOf('ir-df-posix');
  if (posixAt < 0) return parseDfOutputColumns(lines);
  const inodesAt = lines.indexOf('ir-df-inodes', posixAt);
  const blocks = lines.slice(posixAt + 1, inodesAt < 0 ? undefined : inodesAt).join('\n');
  const parsed = parseDfOutput(blocks);
  if (inodesAt < 0) return parsed;
  const merged = mergeDfInodes(parsed.value, lines.slice(inodesAt + 1).join('\n'));
  return { value: merged.value, problems: [...lines.slice(0, posixAt).filter(isDfProblem), ...parsed.problems] };
}

/** What df says before a fallback (its complaint about --output) is not a problem of the host. */
function isDfProblem(line: string): boolean {
  return line.trim() !== '' && !/--output|usage|Usage|Try |BusyBox|illegal option|unrecognized option/.test(line);
}

/**
 * df's lines as filesystems: its header and blank lines skipped, a line of another form (df's own
 * complaint or anything else) a problem, pseudo filesystems and a mount point seen twice left out.
 */
function readDfLines(
  lines: string[],
  form: RegExp,
  toFilesystem: (fields: string[]) => Filesystem,
): Parsed<Filesystem[]> {
  const filesystems: Filesystem[] = [];
  const problems: string[] = [];
  const seenMounts = new Set<string>();
  for (const line of lines) {
    if (line.trim() === '' || /^Filesystem\s/.test(line)) continue;
    const match = form.exec(line);
    if (!match) {
      problems.push(line.startsWith('df:') ? excerpt(line, 200) : `unexpected df line: ${excerpt(line)}`);
      continue;
    }
    const filesystem = toFilesystem(match.slice(1));
    if (pseudoFilesystemTypes.has(filesystem.fsType) || seenMounts.has(filesystem.mount)) continue;
    seenMounts.add(filesystem.mount);
    filesystems.push(filesystem);
  }
  return { value: filesystems, problems };
}

/** `df -B1 --output=source,fstype,size,used,avail,itotal,iused,iavail,target`. */
function parseDfOutputColumns(lines: string[]): Parsed<Filesystem[]> {
  return readDfLines(
    lines,
    /^(\S+)\s+(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+|-)\s+(\d+|-)\s+(\d+|-)\s+(\/.*)$/,
    ([
      device = '',
      fsType = '',
      size = '',
      used = '',
      available = '',
      inodes = '',
      inodesUsed = '',
      inodesFree = '',
      mount = '',
    ]) => {
      // df reports 0 (or "-") inodes for filesystems without a fixed inode table: unknown, not "0 free".
      const knownInodes = inodes !== '-' && inodes !== '0' && inodesUsed !== '-' && inodesFree !== '-';
      return {
        ...blocksOf(device, fsType, mount, size, used, available),
        inodesTotal: knownInodes ? Number(inodes) : null,
        inodesUsed: knownInodes ? Number(inodesUsed) : null,
        inodesFree: knownInodes ? Number(inodesFree) : null,
      };
    },
  );
}

function blocksOf(device: string, fsType: string, mount: string, size: string, used: string, available: string) {
  const usedBytes = Number(used);
  const availableBytes = Number(available);
  const denominator = usedBytes + availableBytes;
  return {
    device,
    fsType,
    mount,
    sizeBytes: Number(size),
    usedBytes,
    availableBytes,
    // df's own rounding: used / (used + available), rounded up; root-reserved blocks count as unavailable.
    usedPercent: denominator === 0 ? 0 : Math.ceil((usedBytes * 100) / denominator),
  };
}

/** `df -P -B1 -T`: "Filesystem Type 1-blocks Used Available Capacity Mounted on". */
export function parseDfOutput(text: string): Parsed<Filesystem[]> {
  return readDfLines(
    text.split('\n'),
    /^(\S+)\s+(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(?:\d+%|-)\s+(\/.*)$/,
    ([device = '', fsType = '', size = '', used = '', available = '', mount = '']) => ({
      ...blocksOf(device, fsType, mount, size, used, available),
      inodesTotal: null,
      inodesUsed: null,
      inodesFree: null,
    }),
  );
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

/** File systems with their inodes (one df). */
export const diskProbe: Probe = {
  name: 'disk',
  // Not capped on the host (no head process): df writes about 100 bytes a mount, so only a
  // host with over 100,000 mounts could reach the collector's cap, which then cuts it there.
  // In the batch's own shell (a function, ir_disk* variables): no subshell.
  commands: () => [{ name: 'df', script: diskCommand, inline: true }],
  parse: (sections) => ({ filesystems: sections.read('df', parseDiskSection, [] as Filesystem[]) }),
};
