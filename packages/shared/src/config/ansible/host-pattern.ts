/**
 * Ansible's host patterns as inventories write them: ranges ("web[01:04].example.com",
 * "db-[a:c]", "[1:10:2]" with a step; leading zeros keep the width) and a port ("host:2200",
 * "[2001:db8::1]:2200"). Returns the hosts, and the port when one was given.
 */
export function expandHostPattern(pattern: string): { hosts: string[]; port?: number } {
  let text = pattern.trim();
  let port: number | undefined;
  const bracketed = /^\[([0-9a-fA-F:.]+)\](?::(\d+))?$/.exec(text);
  if (bracketed?.[1] && bracketed[1].includes(':')) {
    // An IPv6 address in brackets, with an optional port.
    return { hosts: [bracketed[1]], ...(bracketed[2] ? { port: Number(bracketed[2]) } : {}) };
  }
  const withPort = /^(.*[^:]):(\d+)$/.exec(text);
  // "host:22" has a port; an IPv6 address ("2001:db8::1") has more colons and none (the colons
  // of a range, "db[a:b]:2200", do not count).
  if (withPort?.[1] && (withPort[1].replace(/\[[^\]]*\]/g, '').match(/:/g) ?? []).length === 0) {
    text = withPort[1];
    port = Number(withPort[2]);
  }
  const hosts = expandRanges(text);
  return { hosts, ...(port !== undefined ? { port } : {}) };
}

function expandRanges(text: string): string[] {
  const match = /^(.*?)\[([^\]]+)\](.*)$/.exec(text);
  if (!match) return [text];
  const [, head = '', range = '', tail = ''] = match;
  const parts = range.split(':');
  if (parts.length < 2 || parts.length > 3) throw new Error(`invalid host range "[${range}]" in "${text}"`);
  const [start = '', end = '', stepText] = parts;
  const step = stepText === undefined ? 1 : Number(stepText);
  if (!Number.isInteger(step) || step < 1) throw new Error(`invalid step in host range "[${range}]"`);
  const values: string[] = [];
  if (/^\d+$/.test(start) && /^\d+$/.test(end)) {
    const width = start.length > 1 && start.startsWith('0') ? start.length : 0;
    const [from, to] = [Number(start), Number(end)];
    if (to < from) throw new Error(`host range "[${range}]" ends before it starts`);
    if ((to - from) / step > 100_000) throw new Error(`host range "[${range}]" is too large`);
    for (let n = from; n <= to; n += step) values.push(width ? String(n).padStart(width, '0') : String(n));
  } else if (/^[a-zA-Z]$/.test(start) && /^[a-zA-Z]$/.test(end)) {
    const [from, to] = [start.charCodeAt(0), end.charCodeAt(0)];
    if (to < from) throw new Error(`host range "[${range}]" ends before it starts`);
    for (let c = from; c <= to; c += step) values.push(String.fromCharCode(c));
  } else {
    throw new Error(`invalid host range "[${range}]": numbers ([01:20]) or letters ([a:f])`);
  }
  // Several ranges in one pattern multiply out, as Ansible's do.
  return values.flatMap((value) => expandRanges(`${head}${value}${tail}`));
}
