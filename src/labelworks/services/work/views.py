"""What a worker is shown: the task without anything that identifies the customer."""

from __future__ import annotations

import re
from typing import Any

from labelworks.db.tables import Assignment, Task
from labelworks.db.types import iso

_OWN_MEDIA = re.compile(r"^https?://[^/]+/v1/files/([0-9a-f]{24})/content$")


def _worker_urls(value: Any) -> Any:
    """Point our own uploaded media at the worker API (the customer URL needs the org's key)."""
    if isinstance(value, str):
        match = _OWN_MEDIA.match(value)
        return f"/work/files/{match.group(1)}" if match else value
    if isinstance(value, list):
        return [_worker_urls(v) for v in value]
    if isinstance(value, dict):
        return {k: _worker_urls(v) for k, v in value.items()}
    return value


def worker_task(task: Task) -> dict[str, Any]:
    params = _worker_urls(dict(task.params))
    hypothesis = params.pop("hypothesis", None)
    out: dict[str, Any] = {
        "task_id": task.task_id,
        "type": task.type,
        "instruction": task.instruction,
        "params": params,
    }
    if hypothesis is not None:
        out["hypothesis"] = hypothesis
    if task.kind == "gold" and task.initial_response is not None:
        # A review-phase gold check shows a seeded answer to be corrected.
        out["hypothesis"] = task.initial_response
    return out


def lease_json(
    assignment: Assignment, task: Task, labels: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    view = worker_task(task)
    if labels is not None:
        view["labels"] = labels
    return {
        "assignment_id": assignment.id,
        "stage": assignment.stage,
        "task": view,
        "lease_expires_at": iso(assignment.lease_expires_at),
    }
