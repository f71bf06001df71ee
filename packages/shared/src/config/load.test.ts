import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig } from './load.js';
import { rulesOn } from '../alerts/alert-policy.js';

const environment = { env: { HOME: '/home/ops', USER: 'ops' }, cwd: '/etc/infra-report' };

function problemsOf(yaml: string, env: Record<string, string> = {}): string[] {
  try {
    parseConfig(yaml, 'test.yaml', { ...environment, env: { ...environment.env, ...env } });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('configuration', () => {
  it('with no file collects this machine without SSH', () => {
    const config = loadConfig(undefined, environment);
    expect(config.hosts).toHaveLength(1);
    expect(config.hosts[0]?.local).toBe(true);
    expect(config.redis).toBeUndefined();
    expect(config.artifacts.backend).toBe('filesystem');
  });

  it('names the key path and what was expected for each problem', () => {
    const problems = problemsOf(`
hosts:
  - name: web01
    ssh: { port: "twenty-two" }
report:
  timezone: Mars/Olympus
smtpp: {}
`);
    expect([...problems].sort()).toEqual(
      [
        'hosts[0].ssh.port: Invalid input: expected number, received string',
        'report.timezone: an IANA time zone such as "UTC" or "Europe/Paris"',
        '(top level): unknown key "smtpp"',
      ].sort(),
    );
    // Cross-field checks run once the fields themselves are valid.
    expect(
      problemsOf(`
hosts: [{ name: web01 }, { name: web01 }]
report: { thresholds: { disk_warn_percent: 95, disk_critical_percent: 90 } }
`),
    ).toEqual([
      'hosts[1].name: duplicate host name "web01" (also hosts[0])',
      'report.thresholds.disk_warn_percent: must not exceed disk_critical_percent (90)',
    ]);
  });

  it('reports YAML syntax errors instead of crashing', () => {
    expect(problemsOf('hosts: [\n  - name: a\n')[0]).toMatch(/^YAML syntax/);
  });

  it('reads secrets from the environment and from files, and says which one is missing', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ir-config-'));
    writeFileSync(path.join(dir, 'smtp-password'), 's3cret\n');
    const yaml = `
smtp:
  host: mail.example.com
  from: reports@example.com
  to: [ops@example.com]
  password: { file: ${path.join(dir, 'smtp-password')} }
influx:
  url: http://influx:8086
  token: { env: MY_INFLUX_TOKEN }
`;
    const config = parseConfig(yaml, 'test.yaml', {
      ...environment,
      env: { ...environment.env, MY_INFLUX_TOKEN: 'tok' },
    });
    expect(config.smtp?.password).toBe('s3cret');
    expect(config.influx?.token).toBe('tok');
    expect(problemsOf(yaml)).toEqual(['influx.token: environment variable MY_INFLUX_TOKEN is not set']);
  });

  it('merges SSH settings: defaults, then groups, then the host', () => {
    const config = parseConfig(
      `
ssh: { user: report, port: 22, known_hosts_file: ~/.ssh/known_hosts }
groups:
  db: { ssh: { user: dbreport, port: 2200 }, collect: { auth_log: /var/log/secure } }
hosts:
  - { name: web01, address: 10.0.0.1 }
  - { name: db01, groups: [db], ssh: { port: 2201 } }
`,
      'test.yaml',
      environment,
    );
    const [web, db] = config.hosts;
    expect(web?.ssh).toMatchObject({ user: 'report', port: 22, knownHostsFile: '/home/ops/.ssh/known_hosts' });
    expect(web?.collect.authLog).toBe('auto');
    expect(db).toMatchObject({
      address: 'db01',
      ssh: { user: 'dbreport', port: 2201 },
      collect: { authLog: '/var/log/secure' },
    });
  });

  it('takes REDIS_URL and INFLUX_URL from the environment over the file', () => {
    const config = parseConfig('redis: { url: "redis://file:6379" }\n', 'test.yaml', {
      ...environment,
      env: { ...environment.env, REDIS_URL: 'redis://env:6379', INFLUX_URL: 'http://influx:8086' },
    });
    expect(config.redis?.url).toBe('redis://env:6379');
    expect(config.influx).toMatchObject({ url: 'http://influx:8086', api: 'v2', bucket: 'infra_report' });
    expect(config.artifacts.backend).toBe('redis');
  });

  it('reads sampling per group and host, alert thresholds, teams, webhooks, the archive and scoped tokens', () => {
    const config = parseConfig(
      `
sample: { interval_seconds: 20 }
groups:
  web: { recipients: [web-team@example.com], sample: { interval_seconds: 5 } }
hosts:
  - { name: web01, groups: [web] }
  - { name: web02, groups: [web], sample: { interval_seconds: 2 } }
  - { name: db01 }
report: { thresholds: { load_per_cpu_warn: 3, alert_after_seconds: { cpu: 300 } } }
notify:
  webhooks:
    - { kind: slack, url: { env: SLACK_URL }, groups: [web] }
archive: { host: a.example.com, user: r, private_key_file: ~/.ssh/id_ed25519, directory: /srv/reports }
api:
  tokens:
    - plain
    - { token: { env: GRAFANA_TOKEN }, scopes: [read], name: grafana }
`,
      'test.yaml',
      {
        ...environment,
        env: { ...environment.env, SLACK_URL: 'https://hooks.slack.com/services/T/B/x', GRAFANA_TOKEN: 'g' },
      },
    );
    expect(config.sample.enabled).toBe(true);
    expect(config.hosts.map((h) => [h.name, h.sampleIntervalSeconds])).toEqual([
      ['web01', 5],
      ['web02', 2],
      ['db01', 20],
    ]);
    expect(config.report.thresholds).toMatchObject({
      load_per_cpu_warn: 3,
      cpu_warn_percent: 95,
      alert_after_seconds: { cpu: 300 },
    });
    expect(config.groups['web']?.recipients).toEqual(['web-team@example.com']);
    expect(config.notify.webhooks).toEqual([
      { kind: 'slack', url: 'https://hooks.slack.com/services/T/B/x', groups: ['web'], events: ['daily', 'alerts'] },
    ]);
    expect(config.archive).toMatchObject({
      private_key_file: '/home/ops/.ssh/id_ed25519',
      retention_days: 90,
      port: 22,
    });
    expect(config.api.tokens).toEqual([
      { token: 'plain', scopes: ['read', 'trigger', 'silence'], name: 'token 1' },
      { token: 'g', scopes: ['read'], name: 'grafana' },
    ]);
    // Without a sample section the collector service does not sample.
    expect(parseConfig('hosts: []', 't.yaml', environment).sample.enabled).toBe(false);
  });

  it('resolves which alert rules page from sampling and collections, their hold times and grouping', () => {
    const defaults = parseConfig('hosts: []', 't.yaml', environment);
    // By default a collection pages a critical disk only; load and CPU page from sampling after a hold.
    expect(rulesOn(defaults.alerts, 'collection')).toEqual(['disk']);
    expect(rulesOn(defaults.alerts, 'sampling')).toEqual([
      'disk',
      'inodes',
      'load',
      'cpu',
      'memory',
      'temperature',
      'unreachable',
    ]);
    expect(defaults.alerts.rules.load.afterSeconds).toBe(300);
    expect(defaults.alerts.rules.disk.collectionSeverity).toBe('critical');
    expect(defaults.alerts.groupWaitMs).toBe(30_000);
    expect(defaults.notify.ownAlertNotifications).toBe(true);
    const tuned = parseConfig(
      [
        'report: { thresholds: { alert_after_seconds: { cpu: 60, memory: 10 } } }',
        'alerts:',
        '  group_wait_seconds: 5',
        '  rules:',
        '    failed_logins: { on: [collection] }',
        '    load: { on: [] }',
        '    memory: { after_seconds: 30 }',
        'notify: { alertmanager: { url: "http://am.example.com:9093/" } }',
      ].join('\n'),
      't.yaml',
      environment,
    );
    expect(rulesOn(tuned.alerts, 'collection')).toEqual(['disk', 'failed_logins']);
    expect(tuned.alerts.rules.failed_logins.collectionSeverity).toBe('warning');
    expect(rulesOn(tuned.alerts, 'sampling')).not.toContain('load');
    expect(tuned.alerts.rules.cpu.afterSeconds).toBe(60); // the older spelling
    expect(tuned.alerts.rules.memory.afterSeconds).toBe(30); // the newer wins
    expect(tuned.alerts.groupWaitMs).toBe(5000);
    expect(tuned.notify.alertmanager?.urls).toEqual(['http://am.example.com:9093']);
    // Alertmanager notifies: our own alert mails and webhooks stop unless kept.
    expect(tuned.notify.ownAlertNotifications).toBe(false);
    expect(
      problemsOf(
        'alerts: { rules: { failed_logins: { on: [sampling] }, unreachable: { on: [collection] }, lod: {} } }',
      ),
    ).toEqual([
      'alerts.rules: unknown key "lod"',
      expect.stringMatching(
        /alerts\.rules\.failed_logins\.on: failed_logins is only evaluated on collection \(not sampling\)/,
      ),
      expect.stringMatching(
        /alerts\.rules\.unreachable\.on: unreachable is only evaluated on sampling \(not collection\)/,
      ),
    ]);
  });

  it('refuses a webhook URL that is not one, without printing the secret, and an unknown token scope', () => {
    const problems = problemsOf('notify: { webhooks: [{ kind: mattermost, url: { env: HOOK } }] }', {
      HOOK: 'hooks.example.com/secret-part',
    });
    expect(problems).toEqual(['notify.webhooks[0].url: not an http:// or https:// URL']);
    expect(problemsOf('api: { tokens: [{ token: t, scopes: [admin] }] }').join('\n')).toMatch(/^api\.tokens\[0\]/m);
  });

  it('reads ~/.ssh/config (or ssh_config_file) under its own settings: HostName, Port, User, IdentityFile, ProxyJump', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ir-sshconfig-'));
    const file = path.join(dir, 'config');
    writeFileSync(
      file,
      [
        'Host web*',
        '  User alice',
        '  Port 2200',
        'Host web01',
        '  HostName 10.0.0.1',
        '  IdentityFile ~/.ssh/web_ed25519',
        '  ProxyJump jump@bastion.example.com:2222',
        'Host db*',
        '  HostName %h.internal.example.com',
        'Host *',
        '  User fallback',
        '',
      ].join('\n'),
    );
    const config = parseConfig(
      [
        `ssh_config_file: ${file}`,
        'hosts:',
        '  - { name: web01 }',
        '  - { name: web02, address: 192.0.2.2, ssh: { port: 22 } }',
        '  - { name: db01, groups: [db] }',
        'groups: { db: { ssh: { user: dba } } }',
      ].join('\n'),
      'test.yaml',
      environment,
    );
    const web01 = config.hosts[0]!;
    expect([web01.address, web01.ssh.user, web01.ssh.port, web01.ssh.privateKeyFile]).toEqual([
      '10.0.0.1',
      'alice',
      2200,
      '/home/ops/.ssh/web_ed25519',
    ]);
    expect(web01.ssh.jump).toMatchObject({ user: 'jump', address: 'bastion.example.com', port: 2222 });
    expect(web01.ssh.fromSshConfig).toBe(file);
    // The configuration file wins: its address and port for web02, its group's user for db01.
    expect([config.hosts[1]?.address, config.hosts[1]?.ssh.port, config.hosts[1]?.ssh.user]).toEqual([
      '192.0.2.2',
      22,
      'alice',
    ]);
    expect([config.hosts[2]?.address, config.hosts[2]?.ssh.user]).toEqual(['db01.internal.example.com', 'dba']);
    // A configured file that is missing is a problem; the default one may be absent.
    expect(problemsOf('ssh_config_file: /nonexistent/ssh_config\nhosts: [{ name: a }]')[0]).toMatch(
      /^ssh_config_file: cannot read \/nonexistent\/ssh_config/,
    );
    expect(problemsOf('hosts: [{ name: a }]')).toEqual([]);
  });
});
