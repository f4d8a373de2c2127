"""CSV: a header row of task params and common fields (`attachment,unique_id,metadata`), one
task per row.

Cells are strings, except: a cell starting with `{` or `[` is JSON (`metadata`, `categories`,
`geometries`...), `true`/`false` are booleans, `priority` is an integer; an empty cell is left
out. Columns of an exported task (`task_id`, `status`, `category`...) are ignored; any other
unknown column rejects the file at its header.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from labelworks.services.imports.rows import TASK_OBJECT_KEYS, Row
from labelworks.services.tasks import COMMON_KEYS
from labelworks.tasktypes import TaskType


def rows(path: Path, kind: TaskType) -> Iterator[Row]:
    with path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        header = [h.strip() for h in next(reader, [])]
        takes = sorted({*COMMON_KEYS, *kind.params_model.model_fields} - {"project", "batch"})
        unknown = [h for h in header if h not in takes and h not in TASK_OBJECT_KEYS]
        if not header or unknown:
            problem = f"unknown column(s) {unknown}" if header else "no header row"
            yield Row("line 1", error=f"{problem}; {kind.name} tasks take {takes}")
            return
        for cells in reader:
            where = f"line {reader.line_num}"
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                yield Row(where, error=f"has {len(cells)} cells; the header has {len(header)}")
                continue
            try:
                body = {
                    name: _value(name, cell)
                    for name, cell in zip(header, cells, strict=True)
                    if cell != "" and name not in TASK_OBJECT_KEYS
                }
            except ValueError as exc:
                yield Row(where, error=str(exc))
                continue
            yield Row(where, body=body)


def _value(column: str, cell: str) -> Any:
    text = cell.strip()
    if text[:1] in ("{", "["):
        try:
            return json.loads(text)
        except ValueError:
            raise ValueError(f"{column}: malformed JSON") from None
    if text in ("true", "false"):
        return text == "true"
    if column == "priority":
        try:
            return int(text)
        except ValueError:
            raise ValueError("priority: must be an integer") from None
    return cell


def count(path: Path) -> int:
    with path.open("rb") as f:
        lines = sum(block.count(b"\n") for block in iter(lambda: f.read(1 << 20), b""))
    return max(lines - 1, 0)
