# Sourced: pinned Node on PATH, dependencies installed when package-lock.json changed, build up to date.
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/node-env.sh" || exit 1
cd "$repo_root"
lock_stamp="node_modules/.infra-report-lock.sha256"
lock_sum="$(sha256sum package-lock.json | cut -d' ' -f1)-$(node -p process.version)"
if [ ! -f "$lock_stamp" ] || [ "$(cat "$lock_stamp")" != "$lock_sum" ]; then
  echo "infra-report: installing dependencies (npm ci) ..." >&2
  npm ci --no-audit --no-fund --loglevel=error >&2 || exit 1
  echo "$lock_sum" > "$lock_stamp"
fi
npm run --silent build >&2 || exit 1
