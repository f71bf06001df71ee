import { findConfigFile, loadConfig, type Config } from '@infra-report/shared';

export function loadCliConfig(file: string | undefined): Config {
  const environment = { env: process.env, cwd: process.cwd() };
  return loadConfig(findConfigFile(file, environment), environment);
}

export function say(line: string): void {
  process.stderr.write(`${line}\n`);
}
