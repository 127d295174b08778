#!/usr/bin/env bash
# `npm test`: installs system deps (idempotent), builds, then runs every test tier:
# unit + conformance + models (Node, dawn.node) and e2e (Playwright, Debian chromium).
# Pass file paths to run only those (e.g. `npm test -- tests/ops/conv.test.ts`).
set -euo pipefail
shopt -s globstar nullglob
cd "$(dirname "$0")/.."
bash scripts/setup-system.sh
npm run --silent build
if [ $# -gt 0 ]; then files=("$@"); else files=(tests/**/*.test.ts e2e/**/*.test.ts); fi
node --import tsx --test --test-concurrency=1 "${files[@]}"
