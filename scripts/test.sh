#!/usr/bin/env bash
# Install, then run every test (PostgreSQL tests included when 127.0.0.1:5432 answers).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
if .venv/bin/python -c "import psycopg; psycopg.connect('postgresql://postgres@127.0.0.1:5432/test', connect_timeout=3).close()" 2>/dev/null; then
  echo "PostgreSQL reachable at 127.0.0.1:5432: PostgreSQL tests will run"
else
  echo "WARNING: PostgreSQL not reachable at 127.0.0.1:5432: PostgreSQL tests will be SKIPPED"
fi
exec .venv/bin/python -m pytest -n 2 --dist loadgroup "$@"
