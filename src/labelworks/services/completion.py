"""Completing a task: response, status and the callback outbox row, in one transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from labelworks.api.serialize import task_json
from labelworks.db.tables import Batch, Project, Task
from labelworks.db.types import utcnow
from labelworks.services.delivery.outbox import (
    enqueue_batch_callback_if_done,
    enqueue_task_callback,
)
from labelworks.services.projects import SHOWN_NAME


def complete_task(session: Session, task: Task, response: dict[str, Any]) -> None:
    """Write the final answer. The caller holds the task row (locked on PostgreSQL)."""
    now = utcnow()
    task.response = response
    task.status = "completed"
    task.stage = "done"
    task.open_slots = 0
    task.completed_at = now
    task.updated_at = now
    session.flush()
    batch = session.get(Batch, task.batch_id) if task.batch_id else None
    if task.callback_url:
        # A projectless task's payload shows no project (its default project stays hidden).
        project = session.scalar(select(SHOWN_NAME).where(Project.id == task.project_id))
        enqueue_task_callback(
            session, task, task_json(task, project, batch.name if batch else None)
        )
    if batch is not None:
        maybe_complete_batch(session, batch)


def maybe_complete_batch(session: Session, batch: Batch) -> None:
    """A finalized batch is completed once none of its tasks is pending."""
    if batch.status != "in_progress":
        return
    pending = session.scalar(
        select(func.count())
        .select_from(Task)
        # Gold and training tasks never complete; they do not hold a batch open.
        .where(
            Task.org_id == batch.org_id,
            Task.batch_id == batch.id,
            Task.status == "pending",
            Task.kind == "task",
        )
    )
    if pending == 0:
        batch.status = "completed"
        batch.updated_at = utcnow()
        session.flush()
        enqueue_batch_callback_if_done(session, batch)
