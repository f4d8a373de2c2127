"""Run a `labelworks` command inside the test process, on the backend's in-process database.

Each `labelworks` subprocess costs seconds of imports, so error cases run here; the CLI contract
(output on the last line, exit codes, a fresh process) is exercised through real subprocesses
(`tests.conftest.cli`) in `test_workforce_cli.py`.
"""

from __future__ import annotations

from unittest import mock

from labelworks.db.database import Database


def run(db: Database, *args: str) -> tuple[int, str, str]:
    """`labelworks ARGS` in this process on `db`: -> (exit code, stdout, stderr)."""
    from typer.testing import CliRunner

    from labelworks.cli import app
    from labelworks.commands import workforce

    with mock.patch.object(workforce, "open_database", lambda: db):
        result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr
