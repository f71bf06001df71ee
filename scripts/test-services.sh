#!/usr/bin/env bash
# Starts, when not already running, the real services the tests use, and writes their addresses
# to $INFRA_REPORT_TEST_STATE/env (default /var/tmp/infra-report-test-services/env):
#   - Redis (REDIS_URL, default 127.0.0.1:6379)
#   - InfluxDB 1.x from Debian on 127.0.0.1:18086, its own data directory
#   - an sshd "fleet": one sshd per address 127.0.0.11 ... on port 2222, each with its own host
#     key, a test user, a client key, a known_hosts file and a per-host auth log directory
# Needs root (sshd, useradd, apt-get). Idempotent: a second call only checks.
set -euo pipefail
# One place per machine, not per checkout: a second clone (CI) reuses the running fleet and its
# keys instead of colliding with it on the same addresses.
state="${INFRA_REPORT_TEST_STATE:-/var/tmp/infra-report-test-services}"
mkdir -p "$state"

fleet_size="${INFRA_REPORT_TEST_FLEET_SIZE:-4}"
ssh_port=2222
ssh_user=irtest
influx_port=18086

log() { echo "test-services: $*" >&2; }

apt_updated=0
need_packages() {
  local missing=()
  for spec in "$@"; do
    local command="${spec%%:*}" package="${spec##*:}"
    command -v "$command" >/dev/null 2>&1 || [ -e "$command" ] || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]} from Debian"
  if [ $apt_updated -eq 0 ]; then apt-get update -qq >/dev/null; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

need_packages redis-server:redis-server redis-cli:redis-tools influxd:influxdb /usr/sbin/sshd:openssh-server ssh-keygen:openssh-client pdftotext:poppler-utils /lib/systemd/systemd-journal-remote:systemd-journal-remote /usr/share/fonts/truetype/wqy/wqy-microhei.ttc:fonts-wqy-microhei chromium:chromium promtool:prometheus prometheus-alertmanager:prometheus-alertmanager ansible-inventory:ansible-core

# --- Redis ---------------------------------------------------------------------------------
redis_url="${REDIS_URL:-redis://127.0.0.1:6379}"
if ! redis-cli -u "$redis_url" ping >/dev/null 2>&1; then
  log "starting redis-server on 127.0.0.1:6379"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly yes --appendfsync everysec --maxmemory-policy noeviction --dir /var/lib/redis --logfile /var/log/redis/infra-report-tests.log
  for _ in $(seq 1 50); do redis-cli -u "$redis_url" ping >/dev/null 2>&1 && break; sleep 0.1; done
  redis-cli -u "$redis_url" ping >/dev/null || { log "redis did not start"; exit 1; }
fi

# BullMQ needs AOF and noeviction (the services warn without them); the machine's Redis may have
# been started without, so the tests' Redis is set so at run time.
redis-cli -u "$redis_url" CONFIG SET appendonly yes >/dev/null 2>&1 || log "cannot turn on AOF on $redis_url"
redis-cli -u "$redis_url" CONFIG SET appendfsync everysec >/dev/null 2>&1 || true
redis-cli -u "$redis_url" CONFIG SET maxmemory-policy noeviction >/dev/null 2>&1 || true

# --- InfluxDB 1.x ---------------------------------------------------------------------------
influx_url="${INFLUX_URL:-http://127.0.0.1:$influx_port}"
if ! curl -fsS "$influx_url/ping" >/dev/null 2>&1; then
  log "starting influxd on 127.0.0.1:$influx_port"
  mkdir -p "$state/influxdb"
  cat > "$state/influxdb/influxdb.conf" <<EOF
reporting-disabled = true
bind-address = "127.0.0.1:18088"
[meta]
  dir = "$state/influxdb/meta"
[data]
  dir = "$state/influxdb/data"
  wal-dir = "$state/influxdb/wal"
  query-log-enabled = false
[http]
  bind-address = "127.0.0.1:$influx_port"
  log-enabled = false
[monitor]
  store-enabled = false
EOF
  nohup influxd -config "$state/influxdb/influxdb.conf" >"$state/influxdb/influxd.log" 2>&1 &
  for _ in $(seq 1 100); do curl -fsS "$influx_url/ping" >/dev/null 2>&1 && break; sleep 0.1; done
  curl -fsS "$influx_url/ping" >/dev/null || { log "influxd did not start; see $state/influxdb/influxd.log"; exit 1; }
fi

# --- sshd fleet ------------------------------------------------------------------------------
ssh_dir="$state/ssh"
bash "$(dirname "${BASH_SOURCE[0]}")/sshd-fleet.sh" "$ssh_dir" "$fleet_size" 11 "$ssh_port" "$ssh_user"
for i in $(seq 1 "$fleet_size"); do
  mkdir -p "$state/logs/host$i"
  chmod 755 "$state" "$state/logs" "$state/logs/host$i"
done

# --- Docker Engine (the container tests; scripts/build-image.sh builds the image) -------------
need_packages dockerd:docker.io debootstrap:debootstrap docker-compose:docker-compose
docker_unavailable=""
if ! docker info >/dev/null 2>&1; then
  log "starting dockerd"
  mkdir -p "$state/docker"
  setsid dockerd >"$state/docker/dockerd.log" 2>&1 </dev/null &
  for _ in $(seq 1 100); do docker info >/dev/null 2>&1 && break; sleep 0.3; done
  if ! docker info >/dev/null 2>&1; then
    # Only a kernel or sandbox that refuses containers gets here (no overlay/cgroups/namespaces).
    docker_unavailable="dockerd does not start on this machine: $(grep -m1 -E 'level=(fatal|error)' "$state/docker/dockerd.log" | sed 's/.*msg=//' | tr -d '\n' | cut -c1-200)"
    log "$docker_unavailable (the container tests will be skipped; see $state/docker/dockerd.log)"
  fi
fi

cat > "$state/env" <<EOF
REDIS_URL=$redis_url
INFLUX_URL=$influx_url
INFLUX_API=v1
SSH_FLEET_DIR=$ssh_dir
SSH_FLEET_USER=$ssh_user
SSH_FLEET_PORT=$ssh_port
SSH_FLEET_SIZE=$fleet_size
SSH_FLEET_LOGS=$state/logs
${docker_unavailable:+DOCKER_UNAVAILABLE=$docker_unavailable}
EOF
log "ready: redis $redis_url, influxdb $influx_url, $fleet_size sshd hosts on 127.0.0.11-$((10 + fleet_size)):$ssh_port, docker ${docker_unavailable:+un}available"
