#!/usr/bin/env node
// V8 grows its young generation to tens of MB under a run's allocation rate (hundreds of SSH
// sessions); at 4 MB a 200-host run peaks ~110 MB lower for the same CPU. V8 reads the flag
// only at start, so the process replaces itself once with it (unless one was given).
if (
  !process.execArgv.some((flag) => flag.startsWith('--max-semi-space-size')) &&
  typeof process.execve === 'function'
) {
  process.execve(
    process.execPath,
    [process.execPath, '--max-semi-space-size=4', ...process.execArgv, ...process.argv.slice(1)],
    process.env,
  );
}
await import('../dist/main.js');
