"""Dashboard counters stay equal to a fresh COUNT(*) of the tasks table (and the hourly activity
to a rebuild from the rows) through every way a task is made or moves: API creates into batches
and without, test-mode creates, gold tasks, cancels, bulk import, worker completions, review
rejects and fixes, customer audit rejects, and concurrent writers."""

from __future__ import annotations

import json
import threading
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from labelworks.db.tables import ActivityHour, Org, Task, TaskCount
from labelworks.services import counters, imports, users
from labelworks.services.scope import Principal

CATS = ["cat", "dog"]
PASSWORD = "correct horse battery"


def _counts(db: Any, org_id: int) -> tuple[dict[tuple, int], dict[tuple, int]]:
    """(counters, fresh COUNT(*)) keyed like the counters, zero rows left out."""
    with db.read() as s:
        kept = {
            (r.project_id, r.batch_id, r.kind, r.is_test, r.status): r.n
            for r in s.scalars(select(TaskCount).where(TaskCount.org_id == org_id))
            if r.n
        }
        fresh = {
            (p, b or 0, k, bool(t), st): n
            for p, b, k, t, st, n in s.execute(
                select(Task.project_id, Task.batch_id, Task.kind, Task.is_test, Task.status,
                       func.count())
                .where(Task.org_id == org_id)
                .group_by(Task.project_id, Task.batch_id, Task.kind, Task.is_test, Task.status)
            )
        }  # fmt: skip
    return kept, fresh


def _activity(db: Any, org_id: int) -> dict[tuple, tuple]:
    fields = [f for f in counters.ACTIVITY_FIELDS if f != "labels_saved"]  # not in the rows
    with db.read() as s:
        return {
            (r.project_id, r.hour): tuple(getattr(r, f) for f in fields)
            for r in s.scalars(select(ActivityHour).where(ActivityHour.org_id == org_id))
        }


def _worker(app_client: Any, db: Any, role: str = "annotator") -> Any:
    from starlette.testclient import TestClient

    email = f"{role}-{uuid.uuid4().hex[:8]}@example.com"
    with db.write() as s:
        users.create_user(s, email, role, PASSWORD)
    token = app_client.post("/auth/login", json={"email": email, "password": PASSWORD})
    client = TestClient(app_client.app, raise_server_exceptions=False)
    client.headers["Authorization"] = f"Bearer {token.json()['token']}"
    return client


def _work(client: Any, project: str, stage: str, body: dict[str, Any]) -> bool:
    got = client.post("/work/next", params={"stage": stage}, json={"project": project})
    if got.status_code == 204:
        return False
    assert got.status_code == 200, got.text
    done = client.post(f"/work/assignments/{got.json()['assignment_id']}/submit", json=body)
    assert done.status_code == 200, done.text
    return True


def _org(app_client: Any, backend: Any) -> tuple[int, Any]:
    """A fresh org's id and an in-process `/v1` client with its key."""
    from starlette.testclient import TestClient

    name, key = backend.new_org("count")
    with backend.db.read() as s:
        org_id = s.scalar(select(Org.id).where(Org.name == name))
    api = TestClient(app_client.app, base_url="http://testserver/v1", raise_server_exceptions=False)
    api.auth = (key, "")
    return org_id, api


def test_counters_follow_every_task_write(app_client, backend, tmp_path: Path) -> None:
    db = backend.db
    org_id, api = _org(app_client, backend)
    p = f"p-{uuid.uuid4().hex[:6]}"
    r = f"r-{uuid.uuid4().hex[:6]}"
    g = f"g-{uuid.uuid4().hex[:6]}"
    for name, extra in ((p, {}), (r, {"review": True}), (g, {"gold_rate": 1.0})):
        body = {"name": name, "type": "categorization", "params": {"categories": CATS, **extra}}
        assert api.post("/projects", json=body).status_code == 200
    batch = f"b-{uuid.uuid4().hex[:6]}"
    assert api.post("/batches", json={"project": p, "name": batch}).status_code == 200
    ids = []
    for i in range(6):
        where = {"project": p, "batch": batch} if i % 2 else {"project": p}
        got = api.post(
            "/task/categorization", json={"attachment": f"https://e.com/{i}.png", **where}
        )
        ids.append(got.json()["task_id"])
    for i in range(3):
        api.post(
            "/task/categorization", json={"attachment": f"https://e.com/r{i}.png", "project": r}
        )
    api.post(
        "/task/categorization", json={"attachment": "https://e.com/none.png"}
    )  # default project
    gold = {
        "attachment": "https://e.com/g.png",
        "project": g,
        "expected_response": {"category": "cat"},
    }
    assert api.post("/evaluation_tasks/categorization", json=gold).status_code == 200
    api.post("/task/categorization", json={"attachment": "https://e.com/g1.png", "project": g})
    assert api.post(f"/task/{ids[0]}/cancel").status_code == 200
    source = tmp_path / "rows.jsonl"
    source.write_text(
        "".join(json.dumps({"attachment": f"https://e.com/i{i}.png"}) + "\n" for i in range(4))
    )
    principal = Principal(org_id=org_id, org_name="x")
    imports.import_tasks(db, principal, p, batch, imports.open_source(source))

    annotator, reviewer = _worker(app_client, db), _worker(app_client, db, "reviewer")
    for _ in range(5):
        _work(annotator, p, "label", {"response": {"category": "cat"}})
    for _ in range(3):
        _work(annotator, r, "label", {"response": {"category": "dog"}})
    _work(reviewer, r, "review", {"decision": "reject", "reason": "wrong"})
    _work(reviewer, r, "review", {"decision": "fix", "response": {"category": "cat"}})
    _work(reviewer, r, "review", {"decision": "accept"})
    _work(annotator, g, "label", {"response": {"category": "cat"}})  # gold first (rate 1)
    completed = [t for t in ids[1:] if api.get(f"/task/{t}").json()["status"] == "completed"]
    assert completed
    audit = api.post(f"/task/{completed[0]}/audit", json={"accepted": False, "comments": "no"})
    assert audit.status_code == 200, audit.text

    kept, fresh = _counts(db, org_id)
    assert kept == fresh
    assert sum(n for (_, _, _, _, st), n in kept.items() if st == "completed") >= 4
    incremental = _activity(db, org_id)
    assert sum(v[0] for v in incremental.values()) == 8  # labels
    with db.write() as s:
        counters.backfill(s.connection())
    assert _counts(db, org_id)[0] == fresh
    assert _activity(db, org_id) == incremental


def test_concurrent_writers_lose_no_counts(backend) -> None:
    if backend.name != "postgresql":
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE); the race is PostgreSQL's")
    from labelworks.services import tasks
    from labelworks.services.projects import create_project

    db = backend.db
    name, _ = backend.new_org("race")
    with db.read() as s:
        org_id = s.scalar(select(Org.id).where(Org.name == name))
    principal = Principal(org_id=org_id, org_name=name)
    with db.write() as s:
        create_project(
            s, principal, {"name": "race", "type": "categorization", "params": {"categories": CATS}}
        )

    def writer(i: int) -> None:
        for j in range(8):
            with db.write() as s:
                task = tasks.create_task(
                    s, principal, "categorization",
                    {"project": "race", "attachment": f"https://e.com/{i}-{j}.png"},
                )  # fmt: skip
            if j % 2:
                with db.write() as s:
                    tasks.cancel_task(s, principal, task.task.task_id, clear_unique_id=False)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    kept, fresh = _counts(db, org_id)
    assert kept == fresh
    assert sum(fresh.values()) == 48
