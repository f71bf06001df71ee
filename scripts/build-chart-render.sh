#!/usr/bin/env bash
# Builds tools/chart-render (a `helm template` stand-in: no helm binary can be installed here)
# into .tools/chart-render with Debian's Go and Debian's packaged sprig, YAML and JSON Schema
# libraries, the ones Helm itself is built on. Rebuilt when its source changes.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/.tools/chart-render"
src="$root/tools/chart-render"
if [ -x "$out" ] && [ -z "$(find "$src" -newer "$out" -name '*.go' -print -quit)" ]; then exit 0; fi
missing=()
for package in golang-go golang-github-masterminds-sprig-dev golang-github-ghodss-yaml-dev golang-gopkg-yaml.v2-dev \
  golang-github-burntsushi-toml-dev golang-github-xeipuuv-gojsonschema-dev golang-github-gobwas-glob-dev; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "build-chart-render: installing ${missing[*]} from Debian" >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
mkdir -p "$root/.tools"
# GOPATH mode over Debian's /usr/share/gocode: no module download, nothing from the network.
(cd "$src" && GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE="$root/.tools/go-cache" \
  go build -o "$out" .)
echo "build-chart-render: built $out" >&2
