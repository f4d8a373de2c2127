"""Validate rows like `POST /v1/task/{type}` and insert them thousands per statement.

`Target.prepare` runs the checks `services/tasks.create_task` runs, with the same functions
(`clean_common` for the shared fields, the project's defaults merged under the row, the type's
`validate_params`) so an imported task is exactly what the API would have created; only the
insert differs: one executemany per chunk instead of one flush per task.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, insert, select
from sqlalchemy.orm import Session

from labelworks.db.tables import Batch, Project, Task, TaskTag
from labelworks.db.types import Content, UTCDateTime, utcnow
from labelworks.errors import InvalidRequest
from labelworks.services.ids import new_object_id
from labelworks.services.project_settings import COMMON_DEFAULTS, project_settings, split_params
from labelworks.services.projects import get_project
from labelworks.services.scope import Tenant
from labelworks.services.task_fields import clean_common
from labelworks.services.tasks import (
    COMMON_KEYS,
    DEFAULT_BATCH_RANK,
    _placement,
    initial_slots,
)
from labelworks.tasktypes import TaskType, get_task_type

ROW_KEYS = tuple(k for k in COMMON_KEYS if k not in ("project", "batch"))


@dataclass
class Target:
    """The project (and batch) rows go into, with what every row shares."""

    tenant: Tenant
    project: Project
    batch: Batch | None
    kind: TaskType
    common_defaults: dict[str, Any]
    type_defaults: dict[str, Any]
    open_slots: int
    batch_rank: int

    @classmethod
    def load(cls, session: Session, tenant: Tenant, project: str, batch: str | None) -> Target:
        """The same placement checks as a create (project of the tenant, batch in staging)."""
        task_type = get_project(session, tenant, project).type
        project_row, batch_row = _placement(session, tenant, task_type,
                                            {"project": project, "batch": batch})
        _, defaults = split_params(project_row.params)
        overlap = project_settings(project_row.params).overlap
        return cls(
            tenant=tenant, project=project_row, batch=batch_row,
            kind=get_task_type(project_row.type),
            common_defaults={k: defaults[k] for k in COMMON_DEFAULTS if k in defaults},
            type_defaults={k: v for k, v in defaults.items() if k not in COMMON_DEFAULTS},
            # Served at once unless its batch is still staging (finalize opens it).
            open_slots=0 if batch_row is not None else initial_slots("task", overlap),
            batch_rank=(batch_row.priority if batch_row is not None
                        and batch_row.priority is not None else DEFAULT_BATCH_RANK),
        )

    def prepare(self, body: Any) -> dict[str, Any]:
        """One `tasks` row from a create body; InvalidRequest names the bad field."""
        if not isinstance(body, dict):
            raise InvalidRequest("must be a JSON object", "body")
        common = {k: body[k] for k in ROW_KEYS if body.get(k) is not None}
        for key, value in self.common_defaults.items():
            common.setdefault(key, value)
        fields = clean_common(common)
        own = {k: v for k, v in body.items() if k not in COMMON_KEYS}
        params = self.kind.validate_params({**self.type_defaults, **own})
        now = utcnow()
        return {
            "task_id": new_object_id(), "org_id": self.tenant.org_id,
            "project_id": self.project.id, "batch_id": self.batch.id if self.batch else None,
            "type": self.project.type, "status": "pending",
            "instruction": fields.get("instruction"), "params": params,
            "callback_url": fields.get("callback_url"), "metadata": fields.get("metadata", {}),
            "unique_id": fields.get("unique_id"), "tags": fields.get("tags", []),
            "priority": fields.get("priority", 0), "audits": [], "is_test": False,
            "work_started": False, "created_at": now, "updated_at": now, "kind": "task",
            "stage": "label", "open_slots": self.open_slots, "labels_submitted": 0,
            "batch_rank": self.batch_rank,
        }


def duplicates(session: Session, tenant: Tenant, rows: list[dict[str, Any]]) -> set[int]:
    """Indexes of rows whose unique_id is already taken in the org (by a committed task, an
    earlier chunk of this import, or an earlier row of this chunk)."""
    wanted = [r["unique_id"] for r in rows if r["unique_id"] is not None]
    if not wanted:
        return set()
    taken = set(session.scalars(select(Task.unique_id).where(
        Task.org_id == tenant.org_id, Task.unique_id.in_(wanted))))
    out = set()
    for i, row in enumerate(rows):
        uid = row["unique_id"]
        if uid is not None:
            if uid in taken:
                out.add(i)
            taken.add(uid)
    return out


def insert_rows(session: Session, tenant: Tenant, rows: list[dict[str, Any]]) -> None:
    """One executemany for the tasks, one for their tag rows."""
    if not rows:
        return
    table = Task.__table__
    if not any(r["tags"] for r in rows):
        if session.get_bind().dialect.name == "sqlite":
            _sqlite_executemany(session, rows)
        else:
            session.execute(insert(table), rows)
        return
    seqs = session.execute(insert(table).returning(table.c.seq, sort_by_parameter_order=True),
                           rows).scalars().all()
    tags = [{"task_seq": seq, "tag": tag, "org_id": tenant.org_id}
            for seq, row in zip(seqs, rows, strict=True) for tag in row["tags"]]
    session.execute(insert(TaskTag.__table__), tags)


def _sqlite_executemany(session: Session, rows: list[dict[str, Any]]) -> None:
    """The same rows as `insert(tasks)` would write, serialised here and handed straight to
    sqlite3's executemany: SQLAlchemy's per-row parameter processing costs more than the insert.
    JSON as `json.dumps` (None as JSON null, like the `Content` type), datetimes as SQLAlchemy's
    SQLite text format (naive UTC)."""
    columns = list(rows[0])
    time = _SqliteTime()
    converters = [(i, _sqlite_json if name in _JSON_COLUMNS else time)
                  for i, name in enumerate(columns)
                  if name in _JSON_COLUMNS or name in _TIME_COLUMNS]
    values = []
    for row in rows:
        value = [row[name] for name in columns]
        for i, convert in converters:
            value[i] = convert(value[i])
        values.append(tuple(value))
    sql = (f"INSERT INTO tasks ({', '.join(columns)}) "
           f"VALUES ({', '.join('?' for _ in columns)})")
    session.connection().exec_driver_sql(sql, values)


def _sqlite_json(value: Any) -> str:
    if not value and value is not False and value != 0:  # None, [], {}, "": common, constant
        return _EMPTY_JSON.get(type(value)) or json.dumps(value)
    return json.dumps(value)


_EMPTY_JSON = {type(None): "null", list: "[]", dict: "{}"}


class _SqliteTime:
    """Datetime -> SQLAlchemy's SQLite text (naive UTC); created_at and updated_at are the same
    object, so the last one is remembered."""

    def __init__(self) -> None:
        self._last: tuple[Any, str | None] = (object(), None)

    def __call__(self, value: Any) -> str | None:
        if value is not self._last[0]:
            text = (None if value is None
                    else value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f"))
            self._last = (value, text)
        return self._last[1]


_JSON_COLUMNS = frozenset(c.name for c in Task.__table__.columns
                          if isinstance(c.type, Content | JSON))
_TIME_COLUMNS = frozenset(c.name for c in Task.__table__.columns
                          if isinstance(c.type, UTCDateTime))
