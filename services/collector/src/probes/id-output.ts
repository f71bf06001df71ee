/**
 * `id` with no options: "uid=1000(report) gid=1000(report) groups=1000(report),4(adm)" (GNU
 * and busybox alike). One process tells the user and its groups; an id without a name (a uid
 * missing from the host's user database) is kept as its number.
 */
export function parseIdOutput(text: string): { user: string; groups: string[] } | null {
  const uid = /(?:^|\s)uid=(\d+)(?:\(([^)]*)\))?/.exec(text);
  if (!uid?.[1]) return null;
  const groupList = /(?:^|\s)groups=(\S+)/.exec(text)?.[1] ?? '';
  const groups = groupList
    .split(',')
    .map((entry) => /^(\d+)(?:\(([^)]*)\))?$/.exec(entry))
    .flatMap((match) => (match?.[1] ? [match[2] || match[1]] : []));
  return { user: uid[2] || uid[1], groups };
}
