"""What a file reader yields: one row, a create body or the reason it cannot be one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Keys of a Scale task object that a create body does not take: an exported task (jsonl) or an
# exported CSV imports as new tasks, with these left out.
TASK_OBJECT_KEYS = frozenset(
    {
        "task_id",
        "type",
        "status",
        "project",
        "batch",
        "created_at",
        "updated_at",
        "completed_at",
        "response",
        "audits",
        "customer_review_status",
        "callback_succeeded",
        "is_test",
        "work_started",
        "kind",
        "expected_response",
        "initial_response",
        "params",
        "category",
    }
)


@dataclass(frozen=True)
class Row:
    where: str  # "line 7", "task 3", "image 12": how the report names the row
    body: Any = None
    error: str | None = None
