"""Delivery fixtures: a server with tiny backoff delays, a loopback receiver, task completion."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from labelworks.db.database import Database
from labelworks.db.tables import Task
from labelworks.services.completion import complete_task
from labelworks.services.orgs import create_org
from labelworks.settings import Settings
from tests.conftest import Backend, Server, start_server, stop_server
from tests.delivery.receiver import Receiver, serve

# Retries every 50-200 ms instead of 30 s-2 h. The timeout stays generous: a send that times out
# on a loaded machine is retried, and its receiver would (rightly) see the callback twice.
FAST = {
    "LABELWORKS_DELIVERY_IN_SERVER": "1",
    "LABELWORKS_CALLBACK_BACKOFF_BASE_SECONDS": "0.05",
    "LABELWORKS_CALLBACK_BACKOFF_MAX_SECONDS": "0.2",
    "LABELWORKS_DELIVERY_POLL_SECONDS": "0.05",
    "LABELWORKS_CALLBACK_TIMEOUT_SECONDS": "10",
    "LABELWORKS_DELIVERY_LEASE_SECONDS": "25",
}
CATEGORIES = {"categories": ["a", "b"]}


@pytest.fixture(scope="session")
def server(backend: Backend, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Overrides the shared server: same database, fast retry settings."""
    s = start_server(
        backend, extra_env=FAST, log=tmp_path_factory.mktemp("log") / "delivery-server.log"
    )
    yield s
    stop_server(s)


@pytest.fixture(scope="session")
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    httpd = serve(r)
    yield r
    httpd.shutdown()


def open_db(backend: Backend) -> Database:
    """The live server's database, opened from the test process."""
    settings = Settings(
        data_dir=Path(backend.env["LABELWORKS_DATA_DIR"]), database_url=backend.database_url
    )
    return Database.open(settings, migrate=False)


@pytest.fixture(scope="session")
def db(backend: Backend) -> Iterator[Database]:
    database = open_db(backend)
    yield database
    database.engine.dispose()


def new_org(db: Database, prefix: str = "org") -> tuple[str, str]:
    """An org (name, api key), created in-process: much faster than `labelworks org create`."""
    with db.write() as session:
        org, key = create_org(session, f"{prefix}-{uuid.uuid4().hex[:8]}")
        return org.name, key


@pytest.fixture
def org(db: Database) -> tuple[str, str]:
    return new_org(db)


def complete(db: Database, task_ids: list[str], response: dict[str, Any] | None = None) -> None:
    """Complete tasks the way the workforce side does: `complete_task` in one write."""
    with db.write() as session:
        for task_id in task_ids:
            task = session.scalar(select(Task).where(Task.task_id == task_id).with_for_update())
            assert task is not None
            complete_task(session, task, response or {"category": "a"})


def create_tasks(
    api: httpx.Client, callback_url: str | None, n: int = 1, **fields: Any
) -> list[str]:
    """`n` categorization tasks in a fresh project, created through the HTTP API."""
    project = fields.pop("project", None)
    if project is None:
        project = f"p{time.monotonic_ns()}"
        r = api.post(
            "/projects", json={"name": project, "type": "categorization", "params": CATEGORIES}
        )
        assert r.status_code == 200, r.text
    ids = []
    for _ in range(n):
        body = {"project": project, "attachment": "https://example.com/a.png", **fields}
        if callback_url:
            body["callback_url"] = callback_url
        r = api.post("/task/categorization", json=body)
        assert r.status_code == 200, r.text
        ids.append(r.json()["task_id"])
    return ids


def wait_until(condition: Callable[[], Any], timeout: float = 20.0, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what or condition}")


def callback_succeeded(api: httpx.Client, task_id: str) -> bool | None:
    return api.get(f"/task/{task_id}").json().get("callback_succeeded")  # absent until tried
