"""Workforce fixtures: people who log in, projects with settings, a worker HTTP client."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import httpx
import pytest

PASSWORD = "correct horse battery"


@dataclass
class Worker:
    email: str
    client: httpx.Client

    def next(self, project: str | None = None, stage: str = "label") -> httpx.Response:
        body = {"project": project} if project else {}
        return self.client.post("/work/next", params={"stage": stage}, json=body)

    def submit(self, assignment_id: int, body: dict) -> httpx.Response:
        return self.client.post(f"/work/assignments/{assignment_id}/submit", json=body)

    def me(self) -> dict:
        return self.client.get("/work/me").json()


def make_worker(server, role: str = "annotator", org_id: int | None = None) -> Worker:
    from labelworks.services import users

    email = f"{role}-{uuid.uuid4().hex[:8]}@example.com"
    with server.backend.db.write() as session:
        user = users.create_user(session, email, role, PASSWORD)
        if org_id is not None:
            user.org_id = org_id
    token = httpx.post(
        f"{server.url}/auth/login", json={"email": email, "password": PASSWORD}
    ).json()["token"]
    client = httpx.Client(
        base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=60
    )
    return Worker(email, client)


@pytest.fixture
def worker_factory(server):
    made: list[Worker] = []

    def factory(role: str = "annotator") -> Worker:
        w = make_worker(server, role)
        made.append(w)
        return w

    yield factory
    for w in made:
        w.client.close()


def set_rates(server, org_name: str, project: str, per_label: float, per_review: float) -> None:
    from sqlalchemy import select

    from labelworks.db.tables import Org, Project

    with server.backend.db.write() as session:
        org = session.scalar(select(Org).where(Org.name == org_name))
        row = session.scalar(
            select(Project).where(Project.org_id == org.id, Project.name == project)
        )
        row.rate_per_label, row.rate_per_review = per_label, per_review
