#!/usr/bin/env bash
# Install, then start the server on SQLite with a ready demo workspace.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
exec .venv/bin/labelworks serve --demo --host "${HOST:-127.0.0.1}" --port "${PORT:-8080}"
