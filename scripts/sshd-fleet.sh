#!/usr/bin/env bash
# Starts (when not already running) a fleet of real sshd "hosts" on loopback addresses, each
# with its own host key, all accepting one client key for one user. Used by the test services
# (4 hosts on 127.0.0.11-14) and by the fleet benchmark (hundreds of hosts on 127.10.x.y).
#
#   scripts/sshd-fleet.sh DIR COUNT FIRST PORT [USER]
#
# Host i (1..COUNT) is hostI, listening on address number FIRST-1+i of 127.0.0.0/8 (so FIRST=11
# gives 127.0.0.11, FIRST=655361 gives 127.10.0.1), port PORT. Writes DIR/client_key,
# DIR/known_hosts, DIR/fleet.txt (name address port) and DIR/hosts/hostI/. Needs root.
set -euo pipefail
dir="$1" count="$2" first="$3" port="$4" user="${5:-irtest}"
log() { echo "sshd-fleet: $*" >&2; }

address_of() { local n=$(( first - 1 + $1 )); echo "127.$(( n >> 16 & 255 )).$(( n >> 8 & 255 )).$(( n & 255 ))"; }

mkdir -p "$dir/hosts" /run/sshd
if ! id "$user" >/dev/null 2>&1; then useradd --create-home --shell /bin/sh "$user"; fi
# With UsePAM no, sshd refuses a locked account ("!") even for key logins; "*" allows keys only.
usermod -p '*' "$user"
[ -f "$dir/client_key" ] || ssh-keygen -q -t ed25519 -N '' -C infra-report-fleet -f "$dir/client_key"
cp "$dir/client_key.pub" "$dir/authorized_keys"
chmod 644 "$dir/authorized_keys"
: > "$dir/known_hosts.new"
: > "$dir/fleet.txt.new"

for i in $(seq 1 "$count"); do
  name="host$i"
  address="$(address_of "$i")"
  host_dir="$dir/hosts/$name"
  mkdir -p "$host_dir"
  [ -f "$host_dir/ssh_host_ed25519_key" ] || ssh-keygen -q -t ed25519 -N '' -C "$name" -f "$host_dir/ssh_host_ed25519_key"
  echo "[$address]:$port $(cut -d' ' -f1-2 "$host_dir/ssh_host_ed25519_key.pub")" >> "$dir/known_hosts.new"
  echo "$name $address $port" >> "$dir/fleet.txt.new"
  cat > "$host_dir/sshd_config" <<CONFIG
Port $port
ListenAddress $address
HostKey $host_dir/ssh_host_ed25519_key
PidFile $host_dir/sshd.pid
AuthorizedKeysFile $dir/authorized_keys
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
AllowUsers $user
PermitRootLogin no
MaxStartups 1000:30:2000
LogLevel ERROR
CONFIG
  if [ -f "$host_dir/sshd.pid" ] && kill -0 "$(cat "$host_dir/sshd.pid")" 2>/dev/null; then continue; fi
  /usr/sbin/sshd -f "$host_dir/sshd_config" -E "$host_dir/sshd.log"
done
mv "$dir/known_hosts.new" "$dir/known_hosts"
mv "$dir/fleet.txt.new" "$dir/fleet.txt"
chmod 644 "$dir/known_hosts"

# Wait until every host accepts the key with the host key on record: this also catches another
# sshd holding the address with other keys. 32 hosts checked at a time.
check_host() {
  local i="$1" address ok=0
  address="$(address_of "$i")"
  for _ in $(seq 1 50); do
    if ssh -q -i "$dir/client_key" -p "$port" -o BatchMode=yes -o StrictHostKeyChecking=yes \
         -o UserKnownHostsFile="$dir/known_hosts" -o ConnectTimeout=2 "$user@$address" true 2>/dev/null; then
      ok=1; break
    fi
    sleep 0.1
  done
  [ $ok -eq 1 ] || { log "host$i ($address:$port) refuses the key or shows another host key; see $dir/hosts/host$i/sshd.log and 'ss -ltnp'"; return 1; }
}
export -f check_host address_of log
export dir port user first
seq 1 "$count" | xargs -P 32 -I{} bash -c 'check_host {}' || exit 1
log "$count sshd hosts up: $(address_of 1) ... $(address_of "$count") port $port"
