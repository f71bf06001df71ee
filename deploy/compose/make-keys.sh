#!/bin/sh
# Makes the compose stack's keys once, before `docker compose up`: the collector's SSH client key,
# target1's SSH host key, and the known_hosts entry for it (host keys are always checked).
set -eu
cd "$(dirname "$0")"
mkdir -p ssh
[ -f ssh/id_ed25519 ] || ssh-keygen -q -t ed25519 -N '' -C infra-report-compose -f ssh/id_ed25519
[ -f ssh/target1_host_ed25519_key ] || ssh-keygen -q -t ed25519 -N '' -C target1 -f ssh/target1_host_ed25519_key
# Read by the "node" user (uid 1000) inside the service containers.
chmod 644 ssh/id_ed25519 ssh/target1_host_ed25519_key
awk '{print "target1 " $1 " " $2}' ssh/target1_host_ed25519_key.pub > ssh/known_hosts
echo "keys in $(pwd)/ssh; known_hosts has target1's host key"
