import { Point, type Counter, type HostSnapshot } from '@infra-report/shared';

/**
 * A snapshot as InfluxDB points. Measurement and field names follow Telegraf's inputs (system,
 * mem, swap, disk, processes) so existing Telegraf dashboards read them; ssh_login, collection
 * and host_group are our own (documented in the README).
 */
export function snapshotToPoints(snapshot: HostSnapshot): Point[] {
  const at = new Date(snapshot.collectedAt);
  const points: Point[] = resourcePoints({
    host: snapshot.host,
    at,
    users: snapshot.usersNow.length,
    load: snapshot.load,
    cpuCount: snapshot.cpuCount,
    uptimeSeconds: snapshot.uptimeSeconds,
    memory: snapshot.memory,
    filesystems: snapshot.filesystems,
    cpu: snapshot.cpu,
    temperatures: snapshot.temperatures,
    counters: snapshot.counters,
  });
  const point = (measurement: string) => new Point(measurement).tag('host', snapshot.host).timestamp(at);

  // Each listening port once, with its addresses: the report lists ports not seen the day before.
  const byPort = new Map<string, { port: number; protocol: string; addresses: Set<string> }>();
  for (const l of snapshot.listening) {
    const key = `${l.port}/${l.protocol}`;
    const entry = byPort.get(key) ?? { port: l.port, protocol: l.protocol, addresses: new Set<string>() };
    entry.addresses.add(l.address);
    byPort.set(key, entry);
  }
  for (const p of byPort.values())
    points.push(
      point('net_listen')
        .tag('port', String(p.port))
        .tag('protocol', p.protocol)
        .stringField('addresses', [...p.addresses].join(',')),
    );

  if (snapshot.processes) {
    const p = snapshot.processes;
    const processes = point('processes')
      .intField('total', p.total)
      .intField('running', p.running)
      // Telegraf's processes input counts idle kernel threads apart from sleeping ones.
      .intField('sleeping', p.sleeping - (p.idle ?? 0))
      .intField('blocked', p.blocked)
      .intField('zombies', p.zombies)
      .intField('stopped', p.stopped);
    for (const [field, value] of [
      ['idle', p.idle],
      ['paging', p.paging],
      ['dead', p.dead],
      ['parked', p.parked],
      ['unknown', p.unknown],
      ['total_threads', p.threads],
    ] as const)
      if (value !== undefined) processes.intField(field, value);
    points.push(processes);
  }
  if (snapshot.failedUnits !== null)
    points.push(point('systemd_units').intField('failed', snapshot.failedUnits.length));
  for (const b of snapshot.backups) {
    const backup = point('backup').tag('name', b.name).booleanField('stale', b.stale);
    if (b.ageHours !== null) backup.floatField('age_hours', b.ageHours);
    if (b.sizeBytes !== null) backup.intField('size', b.sizeBytes);
    points.push(backup);
  }
  const findings = point('security')
    .intField('findings', snapshot.security.length)
    .intField('critical', snapshot.security.filter((f) => f.severity === 'critical').length);
  for (const kind of new Set(snapshot.security.map((f) => f.kind)))
    findings.intField(kind.replace(/-/g, '_'), snapshot.security.filter((f) => f.kind === kind).length);
  points.push(findings);

  // Logins are events at their own time. User and source IP are fields, not tags: brute force
  // from thousands of addresses must not explode series cardinality. Events of the same second
  // get distinct nanoseconds so none overwrites another.
  const perSecond = new Map<number, number>();
  const eventTime = (iso: string) => {
    const ms = Date.parse(iso);
    const n = perSecond.get(ms) ?? 0;
    perSecond.set(ms, n + 1);
    return `${BigInt(ms) * 1_000_000n + BigInt(n)}`;
  };
  for (const login of snapshot.logins.accepted) {
    points.push(
      new Point('ssh_login')
        .tag('host', snapshot.host)
        .tag('result', 'accepted')
        .tag('method', login.method)
        .stringField('user', login.user)
        .stringField('source_ip', login.sourceIp)
        .intField('attempts', 1)
        .timestamp(eventTime(login.time)),
    );
  }
  for (const failure of snapshot.logins.failed) {
    points.push(
      new Point('ssh_login')
        .tag('host', snapshot.host)
        .tag('result', 'failed')
        .tag('method', failure.kind)
        .stringField('user', failure.user)
        .stringField('source_ip', failure.sourceIp)
        .intField('attempts', failure.count)
        .timestamp(eventTime(failure.time)),
    );
  }

  // One point per group the host is in: dashboards choose hosts by group from these (a tag per
  // group, since a host can be in several; hosts without a group are "ungrouped").
  for (const group of snapshot.groups.length > 0 ? snapshot.groups : ['ungrouped'])
    points.push(point('host_group').tag('group', group).intField('member', 1));

  const collection = point('collection')
    .intField('problems', snapshot.problems.length)
    .booleanField('reachable', true)
    .intField('bytes', snapshot.collectedBytes);
  if (snapshot.sshLatencyMs !== null) collection.intField('ssh_latency_ms', snapshot.sshLatencyMs);
  points.push(collection);
  return points;
}

/** What a collection and a sampling round both read: load, CPU, memory, disks, sensors. */
export interface ResourceReading {
  host: string;
  at: Date;
  /** Logged-in users; unknown to sampling (left out of its points). */
  users?: number;
  load: HostSnapshot['load'];
  cpuCount: number | null;
  uptimeSeconds: number | null;
  memory: HostSnapshot['memory'];
  filesystems: HostSnapshot['filesystems'];
  cpu: HostSnapshot['cpu'];
  temperatures: HostSnapshot['temperatures'];
  /** Kernel counters (absent: not read). */
  counters?: HostSnapshot['counters'];
}

/** The Telegraf-named points of a reading: system, mem, swap, disk, cpu, temp. */
export function resourcePoints(reading: ResourceReading): Point[] {
  const points: Point[] = [];
  const point = (measurement: string) => new Point(measurement).tag('host', reading.host).timestamp(reading.at);

  const system = point('system');
  if (reading.users !== undefined) system.intField('n_users', reading.users);
  if (reading.load)
    system
      .floatField('load1', reading.load.one)
      .floatField('load5', reading.load.five)
      .floatField('load15', reading.load.fifteen);
  if (reading.cpuCount !== null) system.intField('n_cpus', reading.cpuCount);
  if (reading.uptimeSeconds !== null) system.intField('uptime', Math.floor(reading.uptimeSeconds));
  if (reading.users !== undefined || reading.load || reading.cpuCount !== null || reading.uptimeSeconds !== null)
    points.push(system);

  if (reading.memory) {
    const m = reading.memory;
    const mem = point('mem')
      .intField('total', m.totalBytes)
      .intField('available', m.availableBytes)
      .intField('used', m.usedBytes)
      .floatField('used_percent', m.usedPercent)
      .floatField('available_percent', m.totalBytes === 0 ? 0 : (m.availableBytes / m.totalBytes) * 100);
    for (const [field, value] of Object.entries(m.telegraf ?? {})) mem.intField(field, Math.round(value));
    points.push(mem);
    const swapUsed = m.swapTotalBytes - m.swapFreeBytes;
    const swap = point('swap')
      .intField('total', m.swapTotalBytes)
      .intField('free', m.swapFreeBytes)
      .intField('used', swapUsed)
      .floatField('used_percent', m.swapTotalBytes === 0 ? 0 : (swapUsed / m.swapTotalBytes) * 100);
    // Counters, raw as Telegraf writes them (bytes swapped in and out since boot).
    if (reading.counters?.swap)
      swap.intField('in', reading.counters.swap.in).intField('out', reading.counters.swap.out);
    points.push(swap);
  }

  for (const fs of reading.filesystems) {
    const disk = point('disk')
      .tag('path', fs.mount)
      .tag('device', fs.device)
      .tag('fstype', fs.fsType)
      .intField('total', fs.sizeBytes)
      .intField('used', fs.usedBytes)
      .intField('free', fs.availableBytes)
      .floatField('used_percent', fs.usedPercent);
    if (fs.inodesTotal !== null)
      disk
        .intField('inodes_total', fs.inodesTotal)
        .intField('inodes_used', fs.inodesUsed ?? 0)
        .intField('inodes_free', fs.inodesFree ?? 0);
    points.push(disk);
  }

  if (reading.cpu) {
    const c = reading.cpu;
    const cpu = point('cpu')
      .tag('cpu', 'cpu-total')
      .floatField('usage_user', c.user)
      .floatField('usage_system', c.system)
      .floatField('usage_idle', c.idle)
      .floatField('usage_iowait', c.iowait)
      .floatField('usage_steal', c.steal);
    // Telegraf's own split (user without guest, nice, irq, softirq, guest) where the host gave it.
    for (const [field, value] of Object.entries(c.telegraf ?? {})) cpu.floatField(field, value);
    points.push(cpu);
  }
  for (const t of reading.temperatures ?? [])
    points.push(point('temp').tag('sensor', t.sensor).floatField('temp', t.celsius));
  if (reading.counters) points.push(...counterPoints(reading.counters, point));
  return points;
}

/** kernel, diskio, net (per interface, and "all" with the protocol counters), netstat, nstat, linux_sysctl_fs. */
function counterPoints(
  counters: NonNullable<HostSnapshot['counters']>,
  point: (measurement: string) => Point,
): Point[] {
  const points: Point[] = [];
  const withInts = (p: Point, fields: Record<string, Counter>) => {
    for (const [field, value] of Object.entries(fields)) {
      if (typeof value === 'number') p.intField(field, value);
      // Beyond 2^53 the digits are written as they are (line protocol integers are 64-bit).
      else if (BigInt(value) < 2n ** 63n && BigInt(value) >= -(2n ** 63n)) p.fields[field] = `${value}i`;
    }
    return p;
  };
  if (Object.keys(counters.kernel).length > 0) points.push(withInts(point('kernel'), counters.kernel));
  for (const disk of counters.diskio) points.push(withInts(point('diskio').tag('name', disk.name), disk.fields));
  for (const nic of counters.net) points.push(withInts(point('net').tag('interface', nic.interface), nic.fields));
  if (Object.keys(counters.protocols).length > 0)
    points.push(withInts(point('net').tag('interface', 'all'), counters.protocols));
  points.push(withInts(point('netstat'), counters.netstat));
  for (const [name, fields] of Object.entries(counters.nstat))
    if (Object.keys(fields).length > 0) points.push(withInts(point('nstat').tag('name', name), fields));
  if (Object.keys(counters.sysctlFs).length > 0) points.push(withInts(point('linux_sysctl_fs'), counters.sysctlFs));
  return points;
}
