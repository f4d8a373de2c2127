"""Small builders for the security tests: orgs, projects, tasks and people, made in-process on
the backend's real database."""

from __future__ import annotations

import uuid
from typing import Any

from labelworks.db.database import Database
from labelworks.services.auth import Person
from labelworks.services.scope import Principal

PASSWORD = "correct horse battery"


def new_org(db: Database, prefix: str = "org") -> tuple[Principal, str]:
    """A fresh org: (its principal, its API key)."""
    from labelworks.services import orgs

    with db.write() as session:
        org, key = orgs.create_org(session, f"{prefix}-{uuid.uuid4().hex[:8]}")
        return Principal(org.id, org.name), key


def new_project(
    db: Database, principal: Principal, tasks: int = 0, params: dict[str, Any] | None = None
) -> str:
    from labelworks.services import projects
    from labelworks.services.tasks import create_task

    name = f"p-{uuid.uuid4().hex[:8]}"
    body = {"name": name, "type": "categorization", "params": params or {"categories": ["a", "b"]}}
    with db.write() as session:
        projects.create_project(session, principal, body)
        for i in range(tasks):
            create_task(
                session,
                principal,
                "categorization",
                {"project": name, "attachment": f"https://example.com/{i}.png"},
            )
    return name


def new_person(db: Database, role: str = "annotator") -> Person:
    from labelworks.services import users

    email = f"{role}-{uuid.uuid4().hex[:8]}@example.com"
    with db.write() as session:
        user = users.create_user(session, email, role, PASSWORD)
        return Person(user.id, user.email, user.role, None)


def new_customer_admin(db: Database, principal: Principal) -> str:
    """A customer user who is an admin on the org's team; -> the email."""
    from labelworks.services import orgs, teams, users

    email = f"owner-{uuid.uuid4().hex[:8]}@example.com"
    with db.write() as session:
        org = orgs.get_org(session, principal.org_name)
        users.create_user(session, email, "customer", PASSWORD, org)
        teams.add_owner(session, org, email)
    return email


def signed_in(app_client: Any, email: str) -> Any:
    """An in-process browser: a client of the same app with its own cookie jar, signed in."""
    from starlette.testclient import TestClient

    client = TestClient(app_client.app, raise_server_exceptions=False)
    r = client.post("/", data={"email": email, "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return client


def run_cli(db: Database, *args: str) -> tuple[int, str, str]:
    """`labelworks ARGS` in this process on `db` (a subprocess costs seconds of imports)."""
    from unittest import mock

    from typer.testing import CliRunner

    from labelworks.cli import app
    from labelworks.commands import admin, confidentiality, transfer

    with (
        mock.patch.object(transfer, "open_database", lambda: db),
        mock.patch.object(confidentiality, "open_database", lambda: db),
        mock.patch.object(admin, "open_database", lambda: db),
    ):
        result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr
