"""Bulk imports: tasks from CSV, JSONL, Label Studio JSON and COCO files.

Each row is validated like an API create (bulk.py) and inserted thousands per statement. A
file is all-or-nothing by default: every row is checked and reported (`line 7: malformed JSON`),
and if any is rejected the one write transaction is rolled back. With `partial`, the good rows
are kept. The import is one write transaction: on SQLite it holds the write lock while it runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from labelworks.db.database import Database
from labelworks.errors import InvalidRequest
from labelworks.services.imports import coco, csv_, jsonl, label_studio
from labelworks.services.imports.bulk import duplicates, insert_rows, load_placement
from labelworks.services.imports.rows import Row
from labelworks.services.scope import Principal
from labelworks.tasktypes import TaskType

CHUNK = 5000
KEPT_ERRORS = 1000
READERS = {"csv": csv_, "jsonl": jsonl, "label-studio": label_studio, "coco": coco}


@dataclass(frozen=True)
class Source:
    path: Path
    format: str
    total: int | None  # rows, when cheap to count (progress bars)

    def rows(self, kind: TaskType) -> Iterator[Row]:
        return READERS[self.format].rows(self.path, kind)


@dataclass
class ImportReport:
    imported: int = 0
    rejected: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)  # the first KEPT_ERRORS

    def reject(self, where: str, message: str) -> None:
        self.rejected += 1
        if len(self.errors) < KEPT_ERRORS:
            self.errors.append((where, message))


class _RollBack(Exception):
    """Leaves the import's write transaction without committing."""


def open_source(path: Path, fmt: str | None = None) -> Source:
    """The file's format: given, or from its extension (`.json`: COCO when it has `images`,
    else Label Studio)."""
    fmt = fmt or _detect(path)
    if fmt not in READERS:
        raise InvalidRequest(
            f"unknown import format {fmt!r}; formats: {', '.join(READERS)}", "format"
        )
    return Source(path, fmt, READERS[fmt].count(path))


def _detect(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix == ".json":
        with path.open("rb") as f:
            head = f.read(1 << 16).lstrip()
        return "coco" if head.startswith(b"{") and b'"images"' in head else "label-studio"
    raise InvalidRequest(f"cannot tell the format of {path.name}; pass --format", "format")


def import_tasks(
    db: Database,
    principal: Principal,
    project: str,
    batch: str | None,
    source: Source,
    partial: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    report = ImportReport()
    try:
        # (A writer thread overlapping inserts with validation measured slower: GIL contention.)
        with db.write() as session:
            target = load_placement(session, principal, project, batch)
            pending: list[tuple[str, dict]] = []

            def flush() -> None:
                rows = [r for _, r in pending]
                taken = duplicates(session, principal, rows)
                for i in sorted(taken):
                    where, row = pending[i]
                    report.reject(
                        where,
                        f"unique_id: a task with unique_id {row['unique_id']!r} already exists",
                    )
                kept = [r for i, r in enumerate(rows) if i not in taken]
                insert_rows(session, principal, kept)
                report.imported += len(kept)
                pending.clear()

            seen = 0
            for row in source.rows(target.kind):
                seen += 1
                if row.error is not None:
                    report.reject(row.where, row.error)
                else:
                    try:
                        pending.append((row.where, target.row(row.body)))
                    except InvalidRequest as exc:
                        report.reject(row.where, exc.error)
                if len(pending) >= CHUNK:
                    flush()
                if progress is not None and seen % CHUNK == 0:
                    progress(CHUNK)
            flush()
            if progress is not None:
                progress(seen % CHUNK)
            if report.rejected and not partial:
                raise _RollBack
    except _RollBack:
        report.imported = 0
    return report


__all__ = ["ImportReport", "Source", "import_tasks", "open_source"]
