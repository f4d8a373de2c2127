"""Writing callbacks into the outbox, inside the caller's transaction (transactional outbox)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from labelworks.db.tables import Batch, OutboxMessage, Task


def enqueue_task_callback(session: Session, task: Task, task_json: dict[str, Any]) -> None:
    """Queue the task's callback (if it has a callback_url) in the current transaction."""
    if not task.callback_url:
        return
    payload = {"task": task_json, "response": task.response, "task_id": task.task_id}
    session.add(OutboxMessage(org_id=task.org_id, task_seq=task.seq, kind="task",
                              url=task.callback_url, payload=payload))


def enqueue_batch_callback_if_done(session: Session, batch: Batch) -> None:
    """Placeholder until the delivery work lands: batches complete without a callback."""
    del session, batch
