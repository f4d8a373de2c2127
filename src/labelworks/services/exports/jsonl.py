"""`jsonl`: one Scale v1 task object per line, exactly as `GET /v1/task/{id}` shows it."""

from __future__ import annotations

import json
from collections.abc import Iterator

from labelworks.api.serialize import task_json
from labelworks.services.exports.stream import Export


def write(export: Export) -> Iterator[bytes]:
    for chunk in export.task_chunks():
        yield "".join(
            json.dumps(task_json(task, export.project_name, batch)) + "\n" for task, batch in chunk
        ).encode()
