"""Walk a project's tasks in `seq` order, a chunk per short read transaction.

Exports never hold a whole project in memory, nor one snapshot for the whole walk (a long read
would pin SQLite's WAL and PostgreSQL's vacuum horizon): each chunk is its own query,
`WHERE ... AND seq > last ORDER BY seq LIMIT n`, served by the `(org_id, project_id, status, seq)`
and `(org_id, batch_id, status, seq)` indexes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, func, select

from labelworks.db.database import Database
from labelworks.db.tables import Batch, Task
from labelworks.services.exports.images import ImageSizes
from labelworks.services.scope import Principal, of_org
from labelworks.tasktypes import get_task_type
from labelworks.tasktypes.base import Record, TaskType

CHUNK = 1000
RECORD_COLUMNS = (
    Task.seq,
    Task.task_id,
    Task.params,
    Task.response,
    Task.unique_id,
    Task.instruction,
    Task.metadata_,
)


@dataclass
class Export:
    """What to export: one project (optionally one batch) of one org, in one format."""

    db: Database
    principal: Principal
    project_id: int
    project_name: str | None  # None: a default project (its tasks show no project)
    task_type: str
    format: str
    batch_id: int | None = None
    include_pending: bool = False
    project_params: dict[str, Any] = field(default_factory=dict)
    chunk: int = CHUNK
    # Called with the number of tasks of each chunk once it has been written (progress bars).
    progress: Callable[[int], None] | None = None
    _batch_names: dict[int, str] = field(default_factory=dict)

    @property
    def kind(self) -> TaskType:
        return get_task_type(self.task_type)

    def _where(self, stmt: Select[Any]) -> Select[Any]:
        stmt = stmt.where(
            of_org(Task, self.principal),
            Task.project_id == self.project_id,
            Task.kind == "task",
            Task.is_test == self.principal.is_test,  # test and live data stay apart
        )
        if self.batch_id is not None:
            stmt = stmt.where(Task.batch_id == self.batch_id)
        if not self.include_pending:
            stmt = stmt.where(Task.status == "completed")
        return stmt

    def count(self) -> int:
        """How many tasks the export holds (for progress bars)."""
        with self.db.read() as session:
            return session.scalar(self._where(select(func.count()).select_from(Task))) or 0

    def _keyset(self, stmt: Select[Any]) -> Iterator[list[Any]]:
        last = 0
        while True:
            with self.db.read() as session:
                page = self._where(stmt).where(Task.seq > last).order_by(Task.seq)
                rows = list(session.execute(page.limit(self.chunk)).all())
                session.expunge_all()
            if not rows:
                return
            yield rows
            if self.progress is not None:
                self.progress(len(rows))
            last = rows[-1][0] if not isinstance(rows[-1][0], Task) else rows[-1][0].seq
            if len(rows) < self.chunk:
                return

    def task_chunks(self) -> Iterator[list[tuple[Task, str | None]]]:
        """Whole task rows with their batch names (for the Scale task JSON)."""
        for rows in self._keyset(select(Task)):
            tasks = [row[0] for row in rows]
            names = self._names({t.batch_id for t in tasks if t.batch_id is not None})
            yield [(t, names.get(t.batch_id) if t.batch_id else None) for t in tasks]

    def records(self) -> Iterator[list[Record]]:
        """Chunks of `Record`s; image width/height resolved for image types (see images.py)."""
        resolver = ImageSizes(self.db, self.principal) if self.kind.has_images else None
        for rows in self._keyset(select(*RECORD_COLUMNS)):
            records = [
                Record(
                    task_id=task_id,
                    params=params,
                    response=response,
                    unique_id=unique_id,
                    instruction=instruction,
                    metadata=meta or {},
                )
                for _, task_id, params, response, unique_id, instruction, meta in rows
            ]
            if resolver is not None:
                found = resolver.sizes([(rec.params, rec.metadata) for rec in records])
                for rec, (width, height) in zip(records, found, strict=True):
                    rec.width, rec.height = width, height
            yield records

    def labels(self) -> list[str]:
        """Labels the project's default params declare (geometries), in order: the first
        class ids / categories, before labels that only tasks' own params add."""
        geometries = self.project_params.get("geometries")
        # Scale's single-geometry endpoints and segmentannotation hold them flat, as strings or
        # `{choice, subchoices}` (tasktypes/shapes.py).
        for key in ("objects_to_annotate", "labels"):
            if self.kind.has_images and isinstance(self.project_params.get(key), list):
                from labelworks.tasktypes.shapes import labels_of

                return list(dict.fromkeys(labels_of(self.project_params[key])))
        if not isinstance(geometries, dict):
            return []
        names = (
            label
            for g in geometries.values()
            if isinstance(g, dict)
            for label in g.get("objects_to_annotate", [])
        )
        return list(dict.fromkeys(names))

    def _names(self, batch_ids: set[int]) -> dict[int, str]:
        missing = batch_ids - self._batch_names.keys()
        if missing:
            with self.db.read() as session:
                self._batch_names.update(
                    session.execute(select(Batch.id, Batch.name).where(Batch.id.in_(missing)))
                    .tuples()
                    .all()
                )
        return self._batch_names
