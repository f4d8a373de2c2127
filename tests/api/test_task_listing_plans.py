"""The listing's fast plans (tag pages from task_tags, created ranges as seq ranges, wide
completed/updated ranges along the seq walk) return exactly what a naive filter returns."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import event

from labelworks.db.tables import Task
from labelworks.services import orgs, projects, task_listing
from labelworks.services.scope import Principal
from labelworks.services.task_listing import TaskFilters, list_tasks
from labelworks.services.tasks import insert_task

SECRET = b"plans"
T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def _at(minutes: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def _seed(db, count: int = 240) -> tuple[Principal, list[dict]]:
    """`count` tasks of one org (created in threes at the same instant), interleaved with
    another org's tasks carrying the same tags; -> (principal, each task's naive facts)."""
    facts = []
    with db.write() as session:
        mine, _ = orgs.create_org(session, f"plans-{uuid.uuid4().hex[:8]}")
        other, _ = orgs.create_org(session, f"other-{uuid.uuid4().hex[:8]}")
        me, them = Principal(mine.id, mine.name), Principal(other.id, other.name)
        spec = {"type": "categorization", "params": {"categories": ["a", "b"]}}
        project = projects.create_project(session, me, {"name": "p", **spec}).id
        theirs = projects.create_project(session, them, {"name": "p", **spec}).id
        for i in range(count):
            tags = [t for t, every in (("red", 3), ("blue", 4), ("rare", 37)) if i % every == 0]
            done = i % 5 == 0
            fact = {
                "created": _at(i // 3),  # ties: three tasks per instant
                "completed": _at(1000 - 7 * (i % 29)) if done else None,  # not in seq order
                "updated": _at(500 + (i * 13) % 97),
                "tags": tags,
                "status": "completed" if done else "pending",
            }
            for who, proj in ((me, project), (them, theirs)) if i % 10 == 0 else ((me, project),):
                task = Task(
                    task_id=uuid.uuid4().hex,
                    org_id=who.org_id,
                    project_id=proj,
                    type="categorization",
                    status=fact["status"],
                    params={"attachment": "https://e.com/a.png", "categories": ["a", "b"]},
                    tags=tags,
                    created_at=fact["created"],
                    completed_at=fact["completed"],
                    updated_at=fact["updated"],
                )
                insert_task(session, who, task)
                if who is me:
                    facts.append({**fact, "seq": task.seq, "task_id": task.task_id})
    return me, facts


def _walk(db, principal: Principal, filters: TaskFilters) -> tuple[list[str], int]:
    ids, token, total = [], None, None
    while True:
        with db.read() as session:
            page = list_tasks(session, principal, filters, limit=7, next_token=token, secret=SECRET)
        total = page.total if total is None else total
        ids += [v.task.task_id for v in page.views]
        if page.next_token is None:
            return ids, total
        token = page.next_token


def _naive(facts: list[dict], f: TaskFilters) -> list[str]:
    def within(value, low, high):
        if low is None and high is None:
            return True
        return (
            value is not None and (low is None or value >= low) and (high is None or value <= high)
        )

    return [
        x["task_id"]
        for x in sorted(facts, key=lambda x: -x["seq"])
        if all(t in x["tags"] for t in f.tags)
        and (f.status is None or x["status"] == f.status)
        and within(x["created"], f.start_time, f.end_time)
        and within(x["completed"], f.completed_after, f.completed_before)
        and within(x["updated"], f.updated_after, f.updated_before)
    ]


CASES = [
    TaskFilters(tags=["red"]),
    TaskFilters(tags=["red", "blue"]),
    TaskFilters(tags=["rare"], status="completed"),
    TaskFilters(tags=["never used"]),
    TaskFilters(start_time=_at(10), end_time=_at(40)),  # both edges on a tie
    TaskFilters(start_time=_at(10) + dt.timedelta(seconds=1)),
    TaskFilters(end_time=_at(0)),
    TaskFilters(start_time=_at(5000)),  # after every task
    TaskFilters(start_time=_at(30), end_time=_at(20)),  # empty range
    TaskFilters(tags=["blue"], start_time=_at(12), end_time=_at(70)),
    TaskFilters(completed_after=_at(900)),
    TaskFilters(completed_after=_at(850), completed_before=_at(900), tags=["red"]),
    TaskFilters(updated_after=_at(520), updated_before=_at(560), status="pending"),
    TaskFilters(updated_before=_at(530), start_time=_at(20)),
]


@pytest.mark.parametrize("narrow", [2000, 5], ids=["narrow-plan", "walk-plan"])
def test_fast_plans_equal_a_naive_filter(backend, monkeypatch, narrow: int) -> None:
    monkeypatch.setattr(task_listing, "NARROW_RANGE", narrow)
    principal, facts = _seed(backend.db)
    for filters in CASES:
        ids, total = _walk(backend.db, principal, filters)
        expected = _naive(facts, filters)
        assert ids == expected, filters
        assert total == len(expected), filters


def test_tag_and_created_pages_walk_an_index_in_seq_order(backend) -> None:
    """No sort of the matches: the page reads an index backwards and stops at the limit."""
    if backend.name != "sqlite":
        pytest.skip("EXPLAIN QUERY PLAN is SQLite's; PostgreSQL's planner costs its own choice")
    principal, _ = _seed(backend.db, count=30)
    pages: list[tuple[str, object]] = []

    def keep(conn, cursor, statement, parameters, context, executemany) -> None:
        if "ORDER BY" in statement and "JOIN projects" in statement:
            pages.append((statement, parameters))

    event.listen(backend.db.engine, "before_cursor_execute", keep)
    try:
        for filters in (
            TaskFilters(tags=["red"]),
            TaskFilters(tags=["red", "blue"], status="pending"),
            TaskFilters(start_time=_at(2), end_time=_at(6)),
        ):
            with backend.db.read() as session:
                list_tasks(session, principal, filters, limit=5, next_token=None, secret=SECRET)
    finally:
        event.remove(backend.db.engine, "before_cursor_execute", keep)
    assert len(pages) == 3
    with backend.db.engine.connect() as conn:
        for statement, parameters in pages:
            plan = " / ".join(
                row[-1]
                for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            )
            assert "TEMP B-TREE" not in plan, plan
