import { access, writeFile } from 'node:fs/promises';
import { AlreadyExistsError } from '@infra-report/shared';
import { starterConfig } from '../starter-config.js';

export async function initCommand(file: string, options: { force?: boolean }): Promise<void> {
  const exists = await access(file).then(
    () => true,
    () => false,
  );
  if (exists && !options.force) throw new AlreadyExistsError(`${file} already exists (use --force to overwrite it)`);
  await writeFile(file, starterConfig, { mode: 0o640 });
  process.stderr.write(`wrote ${file}: edit the hosts, then run "infra-report check-config -c ${file}"\n`);
}
