# Sourced: pinned Node on PATH, dependencies installed when package-lock.json changed, build up to date.
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/node-env.sh" || exit 1
cd "$repo_root"
lock_stamp="node_modules/.infra-report-lock.sha256"
lock_sum="$(sha256sum package-lock.json | cut -d' ' -f1)-$(node -p process.version)-native-$npm_config_nodedir"
if [ ! -f "$lock_stamp" ] || [ "$(cat "$lock_stamp")" != "$lock_sum" ]; then
  echo "infra-report: installing dependencies ..." >&2
  # Not "npm ci": it insists on lock entries for every platform's optional binaries
  # (msgpackr-extract for macOS/Windows), which a filtered registry mirror cannot provide.
  # "npm install" follows the same lock file and leaves it unchanged.
  npm install --no-audit --no-fund --loglevel=error >&2 || exit 1
  # npm install keeps native addons built for another Node; they are built again for this one.
  npm rebuild --loglevel=error >&2 || exit 1
  echo "$lock_sum" > "$lock_stamp"
fi
npm run --silent build >&2 || exit 1
