#!/bin/sh
# Creates the compose stack's SSH client key and, once target1 runs, its known_hosts entry.
set -eu
cd "$(dirname "$0")"
mkdir -p ssh
[ -f ssh/id_ed25519 ] || ssh-keygen -q -t ed25519 -N '' -C infra-report-compose -f ssh/id_ed25519
chmod 644 ssh/id_ed25519   # read by the "node" user inside the containers
if docker compose ps --status running target1 >/dev/null 2>&1; then
  docker compose exec -T target1 sh -c 'cat /etc/ssh/ssh_host_ed25519_key.pub' | awk '{print "target1 " $1 " " $2}' > ssh/known_hosts
fi
