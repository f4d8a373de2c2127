"""Writing callbacks into the outbox, inside the caller's transaction (transactional outbox).

The row commits or rolls back with the completion that caused it, so a completed task always has
its callback queued and a rolled-back one never sends. The worker (`worker.py`) delivers the rows.
Callers are the status changes in `services/lifecycle.py`; this module imports no service.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from labelworks.api.serialize import batch_json
from labelworks.db.tables import Batch, OutboxMessage, Task
from labelworks.db.types import utcnow

EMAIL_SKIPPED = "email callbacks are not sent by Labelworks"


def is_email(url: str) -> bool:
    """Scale accepts an email address as a callback; it has no http(s) scheme."""
    return url.startswith("mailto:") or ("@" in url and "://" not in url)


def task_payload(task: Task, task_json: dict[str, Any]) -> dict[str, Any]:
    return {"task": task_json, "response": task.response, "task_id": task.task_id}


def enqueue_task_callback(session: Session, task: Task, task_json: dict[str, Any]) -> None:
    """Queue the task's callback (if it has a callback_url) in the current transaction."""
    if not task.callback_url:
        return
    enqueue(
        session,
        task.org_id,
        "task",
        task.callback_url,
        task_payload(task, task_json),
        task_seq=task.seq,
    )


def enqueue_batch_callback(
    session: Session, batch: Batch, project: str, counts: dict[str, Any]
) -> None:
    """Queue a completed batch's `callback`: its JSON and its task counts."""
    if batch.status != "completed" or not batch.callback:
        return
    payload = {"batch": batch_json(batch, project), "status": counts}
    enqueue(session, batch.org_id, "batch", batch.callback, payload, batch_id=batch.id)


def enqueue(
    session: Session,
    org_id: int,
    kind: str,
    url: str,
    payload: dict[str, Any],
    task_seq: int | None = None,
    batch_id: int | None = None,
) -> OutboxMessage:
    message = OutboxMessage(
        org_id=org_id,
        task_seq=task_seq,
        batch_id=batch_id,
        kind=kind,
        url=url,
        payload=payload,
        status="pending",
        attempts=0,
        next_attempt_at=utcnow(),
    )
    if is_email(url):
        message.status = "skipped"
        message.last_error = EMAIL_SKIPPED
    session.add(message)
    session.flush()
    return message
