import type { LoggedInUser } from '@infra-report/shared';
import { excerpt, type Parsed } from './parse-result.js';
import type { Probe } from './probe.js';

export const whoCommand = 'who';

/** `who` with LC_ALL=C: "alice    pts/0        2026-11-22 09:14 (198.51.100.7)". */
export function parseWho(text: string, utcOffset: string | null): Parsed<LoggedInUser[]> {
  const users: LoggedInUser[] = [];
  const problems: string[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const match = /^(\S+)\s+(\S+)\s+(\d{4}-\d{2}-\d{2} \d{2}:\d{2})(?:\s+\((.*)\))?\s*$/.exec(line);
    if (!match?.[1] || !match[2] || !match[3]) {
      problems.push(`unexpected who line: ${excerpt(line)}`);
      continue;
    }
    const offset = utcOffset ? `${utcOffset.slice(0, 3)}:${utcOffset.slice(3)}` : 'Z';
    const instant = new Date(`${match[3].replace(' ', 'T')}:00${offset}`);
    users.push({
      user: match[1],
      line: match[2],
      since: Number.isNaN(instant.getTime()) ? match[3] : instant.toISOString(),
      from: match[4] && match[4] !== '' ? match[4] : null,
    });
  }
  return { value: users, problems };
}

/** Who is logged in now (times in the host's offset). */
export const sessionsProbe: Probe = {
  name: 'who',
  commands: () => [{ name: 'who', script: whoCommand }],
  parse: (sections, { clock }) => ({ usersNow: sections.read('who', (text) => parseWho(text, clock.utcOffset), []) }),
};
