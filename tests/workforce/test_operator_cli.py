"""Operator CLI: list commands, export output errors, database line, bad URL, bad port, invite
links on the server's URL. Error cases run in-process (`run`); the process contract (one line,
exit code 2, no traceback) through real subprocesses."""

from __future__ import annotations

import uuid
from pathlib import Path
from unittest import mock

import pytest

from tests.conftest import cli, make_backend

CATS = ["a", "b"]


def run(db, *args: str) -> tuple[int, str, str]:
    from typer.testing import CliRunner

    from labelworks.cli import app
    from labelworks.commands import admin, transfer, workforce

    with (
        mock.patch.object(admin, "open_database", lambda: db),
        mock.patch.object(workforce, "open_database", lambda: db),
        mock.patch.object(transfer, "open_database", lambda: db),
    ):
        result = CliRunner().invoke(app, list(args), env={"COLUMNS": "250"})
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def seeded(backend):
    from labelworks.services import orgs, projects, users
    from labelworks.services.scope import Principal

    name = f"cli-{uuid.uuid4().hex[:8]}"
    email = f"ann-{uuid.uuid4().hex[:8]}@example.com"
    with backend.db.write() as session:
        org, _ = orgs.create_org(session, name)
        principal = Principal(org.id, org.name)
        projects.create_project(
            session,
            principal,
            {"name": "colors", "type": "categorization", "params": {"categories": CATS}},
        )
        users.create_user(session, email, "annotator", "longpassword", org)
    return backend.db, name, email


def test_org_user_project_list(seeded):
    db, org, email = seeded
    code, out, _ = run(db, "org", "list")
    assert code == 0 and org in out
    code, out, _ = run(db, "user", "list", "--org", org)
    assert code == 0 and email in out and "annotator" in out
    code, out, _ = run(db, "project", "list", "--org", org)
    assert code == 0 and "colors" in out and "categorization" in out
    code, _, err = run(db, "user", "list", "--org", "no-such-org-" + org)
    assert code == 2 and err.strip().splitlines()[-1].startswith("error: org: no organisation")


def test_project_set_staging_and_relabel_flags(seeded):
    from sqlalchemy import select

    from labelworks.db.tables import Org, Project
    from labelworks.services.project_settings import project_settings

    db, org, _ = seeded
    code, _, err = run(
        db, "project", "set", "colors", "--org", org, "--staging",
        "--allow-relabel-by-same-worker",
    )  # fmt: skip
    assert code == 0, err
    with db.read() as session:
        params = session.scalar(
            select(Project.params).join(Org, Org.id == Project.org_id).where(Org.name == org)
        )
    settings = project_settings(params)
    assert settings.staging and settings.allow_relabel_by_same_worker


def test_export_refuses_bad_outputs_in_one_line(seeded, tmp_path):
    db, org, _ = seeded
    base = ["export", "--org", org, "--project", "colors", "-f", "jsonl", "-o"]
    for target, words in (
        (tmp_path / "missing" / "x.jsonl", "does not exist"),
        (tmp_path, "is a folder"),
    ):
        code, _, err = run(db, *base, str(target))
        assert code == 2 and words in err and "Traceback" not in err
    existing = tmp_path / "old.jsonl"
    existing.write_text("keep me")
    code, _, err = run(db, *base, str(existing))
    assert code == 2 and "already exists" in err and existing.read_text() == "keep me"
    code, _, err = run(db, *base, str(existing), "--force")
    assert code == 2 and "break-glass" in err  # an export is content: the operator needs a grant
    from labelworks.services import breakglass, orgs

    with db.write() as session:
        breakglass.grant(session, orgs.get_org(session, org), "tests: the export contract", 5)
    code, _, err = run(db, *base, str(existing), "--force")
    assert code == 0, err
    assert existing.read_text() == "" and not list(tmp_path.rglob("*.partial"))


def test_masked_url_hides_the_password():
    from labelworks.commands.common import masked_url

    hidden = masked_url("postgresql+psycopg://u:s3cr%40t@h:5/db")
    assert hidden == "postgresql+psycopg://u:***@h:5/db"
    assert masked_url("sqlite:////tmp/x.db") == "sqlite:////tmp/x.db"


def test_process_contract_database_line_bad_url_bad_port(tmp_path: Path):
    backend = make_backend("sqlite", tmp_path)
    ok = cli(backend.env, "org", "list")
    assert ok.stderr.splitlines()[0] == f"database: sqlite:///{tmp_path / 'data' / 'labelworks.db'}"
    env = {**backend.env, "LABELWORKS_DATABASE_URL": "postgresql+psycopg://u:pw@127.0.0.1:1/x"}
    bad = cli(env, "org", "list", check=False)
    lines = bad.stderr.strip().splitlines()
    assert bad.returncode == 2 and len(lines) == 2 and "pw" not in bad.stderr
    assert lines[1].startswith("error: cannot open database postgresql+psycopg://u:***@")
    port = cli(backend.env, "serve", "--port", "99999", check=False)
    assert port.returncode == 2 and "65535" in port.stderr and "Traceback" not in port.stderr


def test_invite_link_uses_the_served_url(seeded):
    from labelworks.services.instance import SERVED_URL, set_value

    db, _, email = seeded
    set_value(db, SERVED_URL, "http://127.0.0.1:9123")  # what `serve --port 9123` records
    code, out, err = run(db, "user", "invite-link", email)
    assert code == 0, err
    assert out.strip().splitlines()[-1].startswith("http://127.0.0.1:9123/invite/")
