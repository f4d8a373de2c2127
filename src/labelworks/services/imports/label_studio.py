"""Label Studio JSON: a list of tasks `{"data": {...}, "annotations": [{"result": [...]}],
"predictions": [...]}` (a single task object is accepted too).

The type maps `data` and the results (`TaskType.from_label_studio`): images become the
attachment with boxes, polygons and key points as `hypothesis` pre-labels (from the first
annotation that was not cancelled, else the first prediction); categorization and NER take the
attachment / text (their answers have no pre-label field and are not imported).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from labelworks.errors import InvalidRequest
from labelworks.services.imports.rows import Row
from labelworks.services.imports.whole import load_json
from labelworks.tasktypes import TaskType


def rows(path: Path, kind: TaskType) -> Iterator[Row]:
    doc, error = load_json(path)
    if error is not None:
        yield error
        return
    items = [doc] if isinstance(doc, dict) else doc
    if not isinstance(items, list):
        yield Row("file", error="must be a list of Label Studio tasks")
        return
    for number, item in enumerate(items, start=1):
        where = f"task {number}"
        if not isinstance(item, dict) or not isinstance(item.get("data"), dict):
            yield Row(where, error="data: is required and must be an object")
            continue
        try:
            yield Row(where, body=kind.from_label_studio(item["data"], _results(item)))
        except InvalidRequest as exc:
            yield Row(where, error=exc.error)
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            yield Row(where, error=f"malformed result item ({type(exc).__name__}: {exc})")


def _results(item: dict[str, Any]) -> list[dict[str, Any]]:
    for key in ("annotations", "predictions"):
        for entry in item.get(key) or []:
            if (
                isinstance(entry, dict)
                and not entry.get("was_cancelled")
                and isinstance(entry.get("result"), list)
            ):
                return entry["result"]
    return []


def count(path: Path) -> int | None:
    return None
