import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { testServices } from './services.js';
import { windowsDocumentOutput } from './windows-events.js';
import { startNamespacedSshd, type ZonedSshd } from './zoned-sshd.js';

export interface TestWindowsHost extends ZonedSshd {
  /** What the host prints next: the document (as a Windows host would build it) and any noise. */
  setDocument(document: Record<string, unknown>, noise?: string): void;
  /** The PowerShell scripts the host was asked to run, decoded, in order. */
  scripts(): string[];
  /** The command lines as the client sent them. */
  commands(): string[];
}

/**
 * A Windows host as infra-report meets one: a real sshd whose forced command plays the part of
 * OpenSSH for Windows starting `powershell.exe -NoProfile -NonInteractive -EncodedCommand …`. It
 * refuses anything else as cmd.exe would, answers the version check as PowerShell 5.1 does,
 * decodes and keeps the script (from the command line, or from stdin after the bootstrap), and
 * prints the document the test set. There is no PowerShell here: the document is written by the
 * test from events in Microsoft's documented XML form.
 */
export async function startWindowsHost(name: string, address: string, port: number): Promise<TestWindowsHost> {
  const dir = path.join(testServices().ssh.dir, 'windows', name);
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o777);
  const documentFile = path.join(dir, 'document.txt');
  const scriptsFile = path.join(dir, 'scripts.log');
  const commandsFile = path.join(dir, 'commands.log');
  writeFileSync(documentFile, '');
  writeFileSync(scriptsFile, '');
  writeFileSync(commandsFile, '');
  for (const f of [documentFile, scriptsFile, commandsFile]) chmodSync(f, 0o666);
  const forced = path.join(dir, 'powershell.sh');
  writeFileSync(
    forced,
    `#!/bin/sh
cmd="$SSH_ORIGINAL_COMMAND"
printf '%s\\n' "$cmd" >> ${commandsFile}
case "$cmd" in
  "powershell.exe -NoProfile -NonInteractive -EncodedCommand "*) ;;
  *) printf "'%s' is not recognized as an internal or external command,\\r\\noperable program or batch file.\\r\\n" "\${cmd%% *}" >&2; exit 1 ;;
esac
script=$(printf '%s' "\${cmd##* }" | base64 -d | iconv -f UTF-16LE -t UTF-8)
case "$script" in
  '$PSVersionTable.PSVersion.ToString()') printf '5.1.20348.2652\\r\\n'; exit 0 ;;
  '$s = [Console]::In.ReadToEnd(); Invoke-Expression $s') script=$(cat) ;;
  *) cat > /dev/null ;;
esac
printf '%s\\n@@script-end@@\\n' "$script" >> ${scriptsFile}
cat ${documentFile}
`,
  );
  chmodSync(forced, 0o755);
  const sshd = await startNamespacedSshd(name, address, port, { forceCommand: forced });
  return {
    ...sshd,
    setDocument(document, noise = '') {
      writeFileSync(documentFile, `${noise}${windowsDocumentOutput(document)}`);
    },
    scripts: () =>
      readFileSync(scriptsFile, 'utf8')
        .split('\n@@script-end@@\n')
        .filter((s) => s.trim() !== ''),
    commands: () => readFileSync(commandsFile, 'utf8').split('\n').filter(Boolean),
  };
}
