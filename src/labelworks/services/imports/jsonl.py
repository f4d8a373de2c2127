"""JSONL: one create body (`{"attachment": ..., "unique_id": ...}`) or one Scale task object
(as the `jsonl` export writes it: its `params` and task fields make the body) per line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from labelworks.services.imports.rows import TASK_OBJECT_KEYS, Row
from labelworks.tasktypes import TaskType


def rows(path: Path, kind: TaskType) -> Iterator[Row]:
    with path.open("rb") as f:
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except ValueError:
                yield Row(f"line {number}", error="malformed JSON")
                continue
            yield Row(f"line {number}", body=create_body(obj))


def create_body(obj: Any) -> Any:
    if isinstance(obj, dict) and "task_id" in obj and isinstance(obj.get("params"), dict):
        fields = {k: v for k, v in obj.items() if k not in TASK_OBJECT_KEYS and v is not None}
        return {**obj["params"], **fields}
    return obj


def count(path: Path) -> int:
    with path.open("rb") as f:
        return sum(block.count(b"\n") for block in iter(lambda: f.read(1 << 20), b""))
