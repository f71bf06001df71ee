/** What `infra-report init` writes: every section, commented, valid as it stands. */
export const starterConfig = `# infra-report configuration. Validate with: infra-report check-config -c infra-report.yaml
# Secrets are never needed in this file: write { env: VARIABLE } or { file: /path } instead.

report:
  title: Daily Infrastructure Report
  # company: Example Corp
  timezone: UTC              # IANA zone the report's times are shown in, e.g. Europe/Paris
  window_hours: 24           # logins, reboots ... of the last N hours
  output_dir: ./reports      # one-process mode: where the PDF and XLSX go
  outbox_dir: ./outbox       # without smtp: the email is written here as an .eml file
  state_dir: ./.infra-report-state   # where each host's auth log read position is kept between runs
  thresholds:
    disk_warn_percent: 80
    disk_critical_percent: 90
    brute_force_attempts: 10 # failed SSH logins from one source on one host that make a warning

# SSH defaults for every host; groups and hosts can override any of these.
ssh:
  user: report               # a plain account: no sudo is used
  port: 22
  private_key_file: ~/.ssh/id_ed25519
  # use_agent: true          # also offer keys from $SSH_AUTH_SOCK
  known_hosts_file: ~/.ssh/known_hosts   # unknown or changed host keys are refused
  connect_timeout_seconds: 10
  command_timeout_seconds: 120

collect:
  auth_log: auto             # auto = /var/log/auth.log, else /var/log/secure; the user must be able to read it (group adm)

groups:
  web:
    ssh:
      user: report
  db:
    collect:
      auth_log: /var/log/secure

# With no hosts listed, this machine is collected without SSH.
hosts: []
#  - name: web01
#    address: 10.0.0.11
#    groups: [web]
#    labels: { site: par1 }
#  - name: db01
#    address: 10.0.0.21
#    groups: [db]
#    ssh: { port: 2222 }

# The distributed services (collector, renderer, mailer, api) and "infra-report trigger" need Redis.
# redis:
#   url: redis://127.0.0.1:6379    # or REDIS_URL

# Time series for Grafana (Telegraf-compatible names).
# influx:
#   url: http://127.0.0.1:8086     # or INFLUX_URL
#   api: v2                        # v1 for InfluxDB older than 1.8
#   org: example
#   bucket: infra_report
#   token: { env: INFLUX_TOKEN }

# smtp:
#   host: smtp.example.com
#   port: 587
#   user: reports@example.com
#   password: { env: SMTP_PASSWORD }
#   from: "infra-report <reports@example.com>"
#   to: [ops@example.com]

# api:
#   port: 8080
#   tokens: [{ env: INFRA_REPORT_API_TOKEN }]   # or { token: ..., scopes: [read], name: grafana }

# Live sampling (infra-report watch; the collector service when this section is present).
# sample:
#   interval_seconds: 30

# Alerts and the daily summary to chat; a group's team gets its hosts' report (groups.NAME.recipients).
# notify:
#   webhooks:
#     - { kind: mattermost, url: { env: MATTERMOST_WEBHOOK_URL } }
#     - { kind: slack, url: { env: SLACK_WEBHOOK_URL }, groups: [web], events: [daily, alerts] }
#   attach_run_log: false
#   # Where admins run Prometheus Alertmanager: alerts go there (it groups, routes, silences)
#   # and our own alert emails and webhooks stop (keep_own_notifications: true keeps them).
#   alertmanager: { url: "http://alertmanager:9093" }

# Immediate alerts: one notification per round and recipient set, rolled up across hosts.
# By default sampling pages resources (CPU, load, memory and temperature held for minutes first);
# a daily collection pages only a disk past the critical threshold (the report has the rest).
# alerts:
#   group_wait_seconds: 30
#   group_interval_seconds: 300
#   refire_after_seconds: 900
#   rules:
#     failed_logins: { on: [collection] }      # page brute-force sources too
#     load: { on: [sampling], after_seconds: 300 }

# The day's PDF and XLSX archived over SFTP, checked, old ones purged.
# archive:
#   host: archive.example.com
#   user: reports
#   private_key_file: ~/.ssh/id_ed25519
#   known_hosts_file: ~/.ssh/known_hosts
#   directory: /srv/reports
#   retention_days: 90
`;
