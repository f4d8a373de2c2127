"""Completing a task: response, status, event and the callback outbox row, in one transaction.

The status changes themselves live in `services/lifecycle.py`; this is the name the workforce
and tests have always called.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from labelworks.db.tables import Task
from labelworks.services import lifecycle
from labelworks.services.lifecycle import SYSTEM, Actor, maybe_complete_batch

__all__ = ["complete_task", "maybe_complete_batch"]


def complete_task(
    session: Session,
    task: Task,
    response: dict[str, Any],
    actor: Actor = SYSTEM,
    detail: dict[str, Any] | None = None,
) -> None:
    """Write the final answer. The caller holds the task row (locked on PostgreSQL)."""
    lifecycle.complete_task(session, task, response, actor, detail)
