"""Validate rows like `POST /v1/task/{type}` and insert them thousands per statement.

Rows come from `services.tasks.Placement.row`, the same code `POST /v1/task/{type}` runs, so an
imported task is exactly what the API would have created; only the insert differs: one
executemany per chunk instead of one flush per task. Without the ORM's flush events, rows are
sealed here (`seal_rows`, db/sealing.py) before either insert path.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, cast

from sqlalchemy import JSON, Table, insert, select
from sqlalchemy.orm import Session

from labelworks.db.sealing import lookup_hash, ring, seal_value
from labelworks.db.tables import Task, TaskTag
from labelworks.db.types import Content, SealedText, UTCDateTime
from labelworks.services import counters, trail
from labelworks.services.files import link_files
from labelworks.services.projects import get_project
from labelworks.services.scope import Principal, of_org
from labelworks.services.tasks import Placement


def load_placement(
    session: Session, principal: Principal, project: str, batch: str | None
) -> Placement:
    """The same placement checks as a create (project of the principal, batch in staging)."""
    task_type = get_project(session, principal, project).type
    return Placement.load(session, principal, task_type, {"project": project, "batch": batch})


def duplicates(session: Session, principal: Principal, rows: list[dict[str, Any]]) -> set[int]:
    """Indexes of rows whose unique_id is already taken in the org (by a committed task, an
    earlier chunk of this import, or an earlier row of this chunk)."""
    for row in rows:
        uid = row["unique_id"]
        row["unique_key"] = None if uid is None else lookup_hash(session, principal.org_id, uid)
    wanted = [r["unique_key"] for r in rows if r["unique_key"] is not None]
    if not wanted:
        return set()
    taken = set(
        session.scalars(
            select(Task.unique_key).where(of_org(Task, principal), Task.unique_key.in_(wanted))
        )
    )
    out = set()
    for i, row in enumerate(rows):
        uid = row["unique_key"]
        if uid is not None:
            if uid in taken:
                out.add(i)
            taken.add(uid)
    return out


def insert_rows(session: Session, principal: Principal, rows: list[dict[str, Any]]) -> None:
    """One executemany for the tasks, one for their tag rows, one counter upsert per batch."""
    if not rows:
        return
    counters.rows_added(session, rows)
    tag_lists = [row["tags"] for row in rows]
    link_files(
        session,
        principal.org_id,
        [(r["project_id"], (r["params"], r["instruction"])) for r in rows],
    )
    seal_rows(session, principal.org_id, rows)

    # One trail record per chunk: its count and the id range (first and last task id).
    trail.record(
        session, principal, "task.import", [r["task_id"] for r in rows], object_type="task"
    )
    table = cast(Table, Task.__table__)
    if not any(tag_lists):
        if session.get_bind().dialect.name == "sqlite":
            _sqlite_executemany(session, rows)
        else:
            session.execute(insert(table), rows)
        return
    seqs = (
        session.execute(insert(table).returning(table.c.seq, sort_by_parameter_order=True), rows)
        .scalars()
        .all()
    )
    tags = [
        {
            "task_seq": seq,
            "tag": lookup_hash(session, principal.org_id, tag),
            "org_id": principal.org_id,
        }
        for seq, tag_list in zip(seqs, tag_lists, strict=True)
        for tag in tag_list
    ]
    session.execute(insert(cast(Table, TaskTag.__table__)), tags)


def seal_rows(session: Session, org_id: int, rows: list[dict[str, Any]]) -> None:
    """Seal the customer columns of rows about to be inserted with Core (in place)."""
    keys, conn = ring(), session.connection()
    for row in rows:
        for name, value in row.items():
            if name in _JSON_COLUMNS:
                row[name] = seal_value(keys, conn, org_id, value, True)
            elif name in _TEXT_COLUMNS:
                row[name] = seal_value(keys, conn, org_id, value, False)


def _sqlite_executemany(session: Session, rows: list[dict[str, Any]]) -> None:
    """The same rows as `insert(tasks)` would write, serialised here and handed straight to
    sqlite3's executemany: SQLAlchemy's per-row parameter processing costs more than the insert.
    JSON as `json.dumps` (None as JSON null, like the `Content` type), datetimes as SQLAlchemy's
    SQLite text format (naive UTC)."""
    columns = list(rows[0])
    time = _SqliteTime()
    converters = [
        (
            i,
            _sqlite_json
            if name in _JSON_COLUMNS
            else _sqlite_text
            if name in _TEXT_COLUMNS
            else time,
        )
        for i, name in enumerate(columns)
        if name in _JSON_COLUMNS or name in _TIME_COLUMNS or name in _TEXT_COLUMNS
    ]
    values = []
    for row in rows:
        value = [row[name] for name in columns]
        for i, convert in converters:
            value[i] = convert(value[i])
        values.append(tuple(value))
    sql = f"INSERT INTO tasks ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
    session.connection().exec_driver_sql(sql, values)


def _sqlite_json(value: Any) -> str:
    if not value and value is not False and value != 0:  # None, [], {}, "": common, constant
        return _EMPTY_JSON.get(type(value)) or json.dumps(value)
    return json.dumps(value)


def _sqlite_text(value: Any) -> str | None:
    return None if value is None else str(value)  # a `Sealed` as a plain str for sqlite3


_EMPTY_JSON = {type(None): "null", list: "[]", dict: "{}"}


class _SqliteTime:
    """Datetime -> SQLAlchemy's SQLite text (naive UTC); created_at and updated_at are the same
    object, so the last one is remembered."""

    def __init__(self) -> None:
        self._last: tuple[Any, str | None] = (object(), None)

    def __call__(self, value: Any) -> str | None:
        if value is not self._last[0]:
            text = (
                None if value is None else value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
            )
            self._last = (value, text)
        return self._last[1]


_JSON_COLUMNS = frozenset(
    c.name for c in Task.__table__.columns if isinstance(c.type, Content | JSON)
)
_TEXT_COLUMNS = frozenset(c.name for c in Task.__table__.columns if isinstance(c.type, SealedText))
_TIME_COLUMNS = frozenset(c.name for c in Task.__table__.columns if isinstance(c.type, UTCDateTime))
