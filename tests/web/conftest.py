"""Browser tests: Python Playwright driving Debian's chromium against a live server, one server
and one browser per module. Skipped, saying why, when /usr/bin/chromium is absent."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from tests.conftest import Server, start_server, stop_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
PASSWORD = "correct horse battery"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="module")
def web_server(backend, tmp_path_factory) -> Iterator[Server]:
    s = start_server(backend, log=tmp_path_factory.mktemp("weblog") / "server.log")
    yield s
    stop_server(s)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("browser tests SKIPPED: /usr/bin/chromium is absent (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    pg = context.new_page()
    yield pg
    context.close()


@dataclass
class Customer:
    name: str
    org_id: int
    api: httpx.Client

    def project(self, task_type: str, params: dict[str, Any]) -> str:
        name = f"p-{uuid.uuid4().hex[:8]}"
        r = self.api.post("/projects", json={"name": name, "type": task_type, "params": params})
        assert r.status_code == 200, r.text
        return name

    def task(self, task_type: str, project: str, body: dict[str, Any]) -> str:
        r = self.api.post(f"/task/{task_type}", json={**body, "project": project})
        assert r.status_code == 200, r.text
        return r.json()["task_id"]

    def get(self, task_id: str) -> dict[str, Any]:
        return self.api.get(f"/task/{task_id}").json()


@pytest.fixture
def customer(web_server) -> Iterator[Customer]:
    from sqlalchemy import select

    from labelworks.db.tables import Org

    name, key = web_server.backend.new_org("web")
    with web_server.backend.db.read() as session:
        org_id = session.scalar(select(Org.id).where(Org.name == name))
    with httpx.Client(base_url=web_server.v1, auth=(key, ""), timeout=30) as client:
        yield Customer(name, org_id, client)


def make_person(
    server: Server, role: str, org_id: int | None = None, team_role: str = "member"
) -> str:
    """A person who signs in with PASSWORD; a customer is put on their org's team (active, with
    `team_role`), as the customer web asks the API's policies with that role."""
    from labelworks.db.tables import Org, TeamMember
    from labelworks.services import users

    email = f"{role}-{uuid.uuid4().hex[:8]}@example.com"
    with server.backend.db.write() as session:
        org = session.get(Org, org_id) if org_id is not None else None
        user = users.create_user(session, email, role, PASSWORD, org)
        if role == "customer" and org is not None:
            session.add(TeamMember(org_id=org.id, user_id=user.id, team_role=team_role))
    return email


def bearer(server: Server, email: str) -> httpx.Client:
    token = httpx.post(
        f"{server.url}/auth/login", json={"email": email, "password": PASSWORD}
    ).json()["token"]
    return httpx.Client(
        base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    )


def sign_in(
    page: Any, server: Server, email: str, password: str = PASSWORD, next: str | None = None
) -> None:
    page.goto(f"{server.url}/" + (f"?next={quote(next)}" if next else ""))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def no_leases(page_or_context: Any) -> None:
    """Keep a page that lands on an unfiltered workspace from leasing the shared database's
    tasks (other tests' work)."""
    page_or_context.route("**/work/queue", lambda route: route.abort())


def screenshot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
