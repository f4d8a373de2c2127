"""Dashboard counters, kept in the transaction that does the work (never by counting at page time).

`task_counts`: tasks per (org, project, batch, kind, environment, status), moved by `task_added`
(every create path) and `task_moved` (every status change, all in `lifecycle.py`).
`activity_hours`: what happened per (org, project, hour): labels, completions, review decisions,
gold answers, labels saved by adaptive overlap.

Each change is one `INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n` (SQLite and
PostgreSQL), so concurrent writers add up instead of overwriting each other. On PostgreSQL the
upsert locks its row until commit: a transaction always touches count rows before activity rows,
and the two rows of a move in status order, so two writers never wait on each other in a cycle.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import (
    Connection,
    Table,
    and_,
    case,
    func,
    insert,
    literal_column,
    select,
    union_all,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from labelworks.db.tables import ActivityHour, Assignment, Event, Task, TaskCount
from labelworks.db.types import utcnow

COUNTS: Table = TaskCount.__table__  # type: ignore[assignment]
ACTIVITY: Table = ActivityHour.__table__  # type: ignore[assignment]
COUNT_KEYS = ("org_id", "project_id", "batch_id", "kind", "is_test", "status")
ACTIVITY_FIELDS = (
    "labels",
    "completed",
    "review_accept",
    "review_fix",
    "review_reject",
    "gold_answered",
    "gold_correct",
    "labels_saved",
)


def _upsert(
    session: Session | Connection, table: Table, keys: dict[str, Any], adds: dict[str, int]
) -> None:
    bind = session.get_bind() if isinstance(session, Session) else session
    dialect = postgresql if bind.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(table).values(**keys, **adds)
    stmt = stmt.on_conflict_do_update(
        index_elements=list(keys),
        set_={name: table.c[name] + stmt.excluded[name] for name in adds},
    )
    session.execute(stmt)


def _count_key(task: Task | Mapping[str, Any], status: str) -> dict[str, Any]:
    get = task.get if isinstance(task, Mapping) else lambda k: getattr(task, k)
    return {
        "org_id": get("org_id"),
        "project_id": get("project_id"),
        "batch_id": get("batch_id") or 0,
        "kind": get("kind") or "task",
        "is_test": bool(get("is_test")),
        "status": status,
    }


def task_added(session: Session, task: Task) -> None:
    _upsert(session, COUNTS, _count_key(task, task.status), {"n": 1})


def rows_added(session: Session, rows: Iterable[Mapping[str, Any]]) -> None:
    """Many tasks inserted at once (bulk import): one upsert per distinct key."""
    groups = Counter(tuple(_count_key(row, row["status"]).items()) for row in rows)
    for key, n in sorted(groups.items(), key=lambda kv: str(kv[0])):
        _upsert(session, COUNTS, dict(key), {"n": n})


def task_moved(session: Session, task: Task, before: str, after: str) -> None:
    if before == after:
        return
    for status, delta in sorted(((before, -1), (after, 1))):
        _upsert(session, COUNTS, _count_key(task, status), {"n": delta})


def activity(session: Session, task: Task, **adds: int) -> None:
    """Add to the task's project's current hour; test-mode tasks are not activity."""
    adds = {k: v for k, v in adds.items() if v}
    if task.is_test or not adds:
        return
    unknown = set(adds) - set(ACTIVITY_FIELDS)
    assert not unknown, unknown
    keys = {"org_id": task.org_id, "project_id": task.project_id, "hour": hour_of(utcnow())}
    _upsert(session, ACTIVITY, keys, adds)


def hour_of(when: dt.datetime) -> dt.datetime:
    return when.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)


# --- backfill (migration 0006_counters, benchmarks) ------------------------------------------------


def backfill(conn: Connection) -> None:
    """Rebuild both tables from the rows (tasks, assignments) in one pass each."""
    conn.execute(COUNTS.delete())
    conn.execute(ACTIVITY.delete())
    t = Task.__table__.c
    # Unbound SQL literals: PostgreSQL must see the same expression in SELECT and GROUP BY.
    no_batch = func.coalesce(t.batch_id, literal_column("0"))
    conn.execute(
        insert(COUNTS).from_select(
            [*COUNT_KEYS, "n"],
            select(
                t.org_id, t.project_id, no_batch, t.kind, t.is_test,
                t.status, func.count(),
            ).group_by(t.org_id, t.project_id, no_batch, t.kind,
                       t.is_test, t.status),
        )
    )  # fmt: skip
    parts = _activity_sources(conn)
    rows = union_all(*parts).subquery()
    sums = [func.sum(rows.c[name]) for name in ACTIVITY_FIELDS]
    conn.execute(
        insert(ACTIVITY).from_select(
            ["org_id", "project_id", "hour", *ACTIVITY_FIELDS],
            select(rows.c.org_id, rows.c.project_id, rows.c.hour, *sums).group_by(
                rows.c.org_id, rows.c.project_id, rows.c.hour
            ),
        )
    )


def _activity_sources(conn: Connection) -> list[Any]:
    def hour(column: Any) -> Any:
        if conn.dialect.name == "postgresql":
            # In UTC whatever the session's time zone.
            return func.timezone("UTC", func.date_trunc("hour", func.timezone("UTC", column)))
        # SQLAlchemy's SQLite text for a datetime, truncated to the hour.
        return func.strftime("%Y-%m-%d %H:00:00.000000", column)

    def part(source: Any, when: Any, where: Any, **values: Any) -> Any:
        cols = [
            literal_column("0").label(n) if n not in values else values[n].label(n)
            for n in ACTIVITY_FIELDS
        ]
        return select(source.org_id, source.project_id, hour(when).label("hour"), *cols).where(
            where
        )

    t = Task.__table__.c
    a = Assignment.__table__.c
    e = Event.__table__.c
    one: Any = literal_column("1")
    submitted = a.submitted_at.is_not(None)
    done = a.status.in_(("submitted", "accepted", "rejected", "dissented", "discarded"))
    out = [
        # Completions are events (a reworked task completed earlier still did): the events trail.
        part(t, e.created_at, and_(e.subject == "task", e.event == "completed", t.kind == "task",
                                   t.is_test.is_(False)), completed=one).join_from(Task, Event, e.task_seq == t.seq),
        part(a, a.submitted_at, and_(submitted, done, a.stage == "label", a.task_kind == "task"), labels=one),
        part(a, a.submitted_at, and_(submitted, a.task_kind == "gold", a.status.in_(("accepted", "rejected"))),
             gold_answered=one, gold_correct=case((a.status == "accepted", 1), else_=0)),
    ]  # fmt: skip
    for decision in ("accept", "fix", "reject"):
        out.append(
            part(a, a.submitted_at, and_(submitted, a.stage == "review", a.decision == decision),
                 **{f"review_{decision}": one})
        )  # fmt: skip
    return out
