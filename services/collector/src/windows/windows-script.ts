import { documentBegin, documentEnd, windowsChannels } from './windows-document.js';

/** cmd.exe's longest command line (the OpenSSH DefaultShell may be cmd.exe). */
export const cmdLineLimit = 8191;

/** The events each channel is read for: logons, failed logons, log cleared; sshd's own lines. */
const channelEventIds: Record<(typeof windowsChannels)[number], number[]> = {
  Security: [4624, 4625, 1102],
  'OpenSSH/Operational': [4],
};

/** The Logon audit subcategory, by GUID: auditpol's names are translated on localised Windows. */
const logonSubcategory = '{0CCE9215-69AE-11D9-BED3-505054503030}';

const psString = (text: string) => `'${text.replace(/'/g, "''")}'`;

/** The XPath of a channel's events: after its bookmark, or since the window's start on a first run. */
function channelFilter(channel: (typeof windowsChannels)[number], bookmark: number | null, since: Date): string {
  const ids = channelEventIds[channel].map((id) => `EventID=${id}`).join(' or ');
  const after =
    bookmark !== null
      ? `EventRecordID > ${Math.max(0, Math.trunc(bookmark))}`
      : `TimeCreated[@SystemTime>='${since.toISOString()}']`;
  return `*[System[(${ids}) and ${after}]]`;
}

/**
 * The one PowerShell script a Windows host runs (Windows PowerShell 5.1 and PowerShell 7):
 * read-only, and it prints one document (windows-document.ts) between its marker lines.
 */
export function windowsScript(bookmarks: Record<string, number>, since: Date): string {
  const channels = windowsChannels
    .map(
      (channel) =>
        `  @{ name = ${psString(channel)}; filter = ${psString(channelFilter(channel, bookmarks[channel] ?? null, since))}; bookmark = ${bookmarks[channel] ?? -1} }`,
    )
    .join(',\n');
  return `$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$problems = New-Object System.Collections.Generic.List[string]
$who = [Security.Principal.WindowsIdentity]::GetCurrent().Name
$os = Get-CimInstance Win32_OperatingSystem
$disks = @(Get-CimInstance Win32_LogicalDisk -Filter 'DriveType=3' | ForEach-Object {
  [ordered]@{ device = $_.DeviceID; filesystem = $_.FileSystem; size = [int64]$_.Size; free = [int64]$_.FreeSpace } })
$services = @(Get-CimInstance Win32_Service -Filter "StartMode='Auto' AND State<>'Running'" | ForEach-Object { $_.Name })
$events = [ordered]@{}
$newest = [ordered]@{}
foreach ($channel in @(
${channels}
)) {
  $records = @()
  try {
    $records = @(Get-WinEvent -LogName $channel.name -FilterXPath $channel.filter -ErrorAction Stop)
  } catch {
    $id = $_.FullyQualifiedErrorId
    if ($id -like 'NoMatchingEventsFound*') { $records = @() }
    elseif ($_.Exception -is [UnauthorizedAccessException] -or $id -like '*UnauthorizedAccess*') {
      $problems.Add("cannot read the $($channel.name) log as $($who): add it to Event Log Readers (or use an administrator)")
    } else { $problems.Add("cannot read the $($channel.name) log: $($_.Exception.Message)") }
  }
  $events[$channel.name] = @($records | ForEach-Object { $_.ToXml() })
  $last = $channel.bookmark
  foreach ($r in $records) { if ($r.RecordId -gt $last) { $last = $r.RecordId } }
  if ($channel.bookmark -ge 0) {
    try {
      $oldest = Get-WinEvent -LogName $channel.name -MaxEvents 1 -Oldest -ErrorAction Stop
      if ($oldest.RecordId -gt $channel.bookmark + 1) {
        $problems.Add("the $($channel.name) log was cleared or rolled over past record $($channel.bookmark): events in between are lost")
      }
    } catch { }
  }
  if ($last -ge 0) { $newest[$channel.name] = [int64]$last }
}
try {
  $audit = (auditpol /get /subcategory:${logonSubcategory} /r | ConvertFrom-Csv | Select-Object -First 1)
  if ($audit -and (([int]$audit.'Setting Value') -band 2) -eq 0) {
    $problems.Add('failure auditing of logons is off: failed logons are not logged (auditpol /set /subcategory:${logonSubcategory} /failure:enable)')
  }
} catch { $problems.Add('failure auditing not checked (auditpol needs an administrator)') }
$doc = [ordered]@{
  version = 1
  computer = $env:COMPUTERNAME
  now = (Get-Date).ToUniversalTime().ToString('o')
  boot = $os.LastBootUpTime.ToUniversalTime().ToString('o')
  timezone = (Get-TimeZone).Id
  os = [ordered]@{ caption = $os.Caption; version = $os.Version }
  disks = $disks
  services = $services
  events = $events
  bookmarks = $newest
  problems = @($problems)
}
$json = ConvertTo-Json -InputObject $doc -Depth 6 -Compress
[Console]::Out.Write("${documentBegin}\`r\`n" + [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($json)) + "\`r\`n${documentEnd}\`r\`n")
`;
}

const encode = (script: string) => Buffer.from(script, 'utf16le').toString('base64');

/** The script without indentation and blank lines (it has no here-strings): a shorter command line. */
export const compact = (script: string) =>
  script
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .join('\n');
const powershell = 'powershell.exe -NoProfile -NonInteractive -EncodedCommand';

/** Reads the script from stdin and runs it: what goes on the command line when the script is too long for it. */
export const stdinBootstrap = '$s = [Console]::In.ReadToEnd(); Invoke-Expression $s';

/**
 * How the script reaches the host: the command line (works under cmd.exe and PowerShell as the
 * OpenSSH DefaultShell), and what goes on stdin. Past cmd.exe's limit the command line is a short
 * bootstrap and the script goes on stdin.
 */
export function windowsCommand(script: string): { command: string; stdin: string } {
  const direct = `${powershell} ${encode(compact(script))}`;
  if (direct.length <= cmdLineLimit) return { command: direct, stdin: '' };
  return { command: `${powershell} ${encode(stdinBootstrap)}`, stdin: script };
}

/** check-config's probe of a Windows host: PowerShell answers with its version. */
export function windowsVersionCheck(): { command: string; looksRight: (output: string) => boolean } {
  return {
    command: `${powershell} ${encode('$PSVersionTable.PSVersion.ToString()')}`,
    looksRight: (output) => /^\d+\.\d+/.test(output.trim()),
  };
}
