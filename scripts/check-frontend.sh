#!/usr/bin/env bash
# Rebuild the workspace's TypeScript and fail when the committed bundles differ from the build.
set -euo pipefail
cd "$(dirname "$0")/../frontend"
if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
npm run typecheck
npm run build
cd ..
git diff --exit-code -- src/labelworks/web/static
