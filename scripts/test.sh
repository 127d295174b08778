#!/usr/bin/env bash
# `npm test`: installs system deps (idempotent), builds, then runs every test tier:
# unit + conformance + models (Node, dawn.node) and e2e (Playwright, Debian chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-system.sh
npm run --silent build
node --import tsx --test --test-concurrency=1 --test-reporter=spec "tests/**/*.test.ts" "e2e/**/*.test.ts"
