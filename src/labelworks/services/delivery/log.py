"""What an org sees of its callbacks: the delivery log of a task or batch, and redelivery; and what
the operator sees across orgs: the failing and retrying deliveries (metadata only)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from labelworks.api.serialize import task_json
from labelworks.db.tables import DeliveryAttempt, Org, OutboxMessage, Task
from labelworks.db.types import iso, utcnow
from labelworks.errors import InvalidRequest
from labelworks.services.batches import get_batch
from labelworks.services.delivery.outbox import enqueue, task_payload
from labelworks.services.scope import Principal, of_org
from labelworks.services.tasks import load_task


def task_deliveries(session: Session, principal: Principal, task_id: str) -> dict[str, Any]:
    task, _, _ = load_task(session, principal, task_id, action="task.deliveries")
    messages = _messages(session, OutboxMessage.task_seq == task.seq, principal)
    return {
        "task_id": task.task_id,
        "callback_url": task.callback_url,
        "callback_succeeded": task.callback_succeeded,
        "deliveries": _deliveries_json(session, messages),
    }


def batch_deliveries(session: Session, principal: Principal, name: str) -> dict[str, Any]:
    batch = get_batch(session, principal, name)
    messages = _messages(session, OutboxMessage.batch_id == batch.id, principal)
    return {
        "batch": batch.name,
        "callback": batch.callback or "",
        "deliveries": _deliveries_json(session, messages),
    }


def redeliver_task(session: Session, principal: Principal, task_id: str) -> dict[str, Any]:
    """Send the task's callback again now: a waiting delivery is made due, else a new one queued."""
    task, project, batch = load_task(session, principal, task_id, True, "callback.redeliver")
    if task.status != "completed":
        raise InvalidRequest("only a completed task has a callback to deliver", "task_id")
    if not task.callback_url:
        raise InvalidRequest("the task has no callback_url", "callback_url")
    now = utcnow()
    waiting = session.scalar(
        select(OutboxMessage)
        .where(
            of_org(OutboxMessage, principal),
            OutboxMessage.task_seq == task.seq,
            OutboxMessage.kind == "task",
            OutboxMessage.status == "pending",
        )
        .order_by(OutboxMessage.id.desc())
        .limit(1)
        .with_for_update()
    )
    if waiting is not None:
        if waiting.claim_expires_at is None or waiting.claim_expires_at <= now:
            waiting.next_attempt_at = now  # otherwise it is being sent right now
        message = waiting
    else:
        payload = task_payload(task, task_json(task, project, batch))
        message = enqueue(
            session, principal.org_id, "task", task.callback_url, payload, task_seq=task.seq
        )
    session.flush()
    return {"task_id": task.task_id, "delivery": _deliveries_json(session, [message])[0]}


def _messages(session: Session, condition: Any, principal: Principal) -> list[OutboxMessage]:
    stmt = (
        select(OutboxMessage)
        .where(of_org(OutboxMessage, principal), condition)
        .order_by(OutboxMessage.id)
    )
    return list(session.scalars(stmt))


def _deliveries_json(session: Session, messages: list[OutboxMessage]) -> list[dict[str, Any]]:
    attempts: dict[int, list[dict[str, Any]]] = {m.id: [] for m in messages}
    if messages:
        rows = session.scalars(
            select(DeliveryAttempt)
            .where(DeliveryAttempt.outbox_id.in_(list(attempts)))
            .order_by(DeliveryAttempt.outbox_id, DeliveryAttempt.attempt, DeliveryAttempt.id)
        )
        for a in rows:
            attempts[a.outbox_id].append(
                {
                    "attempt": a.attempt,
                    "started_at": iso(a.started_at),
                    "latency_ms": a.duration_ms,
                    "status_code": a.status_code,
                    "error": a.error if a.error or a.duration_ms is not None else "in progress",
                }
            )
    return [
        {
            "id": str(m.id),
            "kind": m.kind,
            "url": m.url,
            "status": m.status,
            "attempt_count": m.attempts,
            "attempts": attempts[m.id],
            "next_attempt_at": iso(m.next_attempt_at) if m.status == "pending" else None,
            "delivered_at": iso(m.delivered_at),
            "last_status_code": m.last_status_code,
            "last_error": m.last_error,
            "created_at": iso(m.created_at),
        }
        for m in messages
    ]


@dataclass(frozen=True)
class FailingDelivery:
    org: str
    kind: str  # task | batch
    task_id: str | None
    state: str  # failed | retrying
    attempts: int
    last_status_code: int | None
    last_error: str | None
    created_at: dt.datetime
    next_attempt_at: dt.datetime | None  # retrying: when the next attempt is due


# Failed for good, or still pending after at least one attempt (retrying with backoff).
_FAILING = or_(
    OutboxMessage.status == "failed",
    (OutboxMessage.status == "pending") & (OutboxMessage.attempts > 0),
)


def failing_counts(session: Session) -> list[tuple[str, int, int]]:
    """(org, failed, retrying) for every org with a failing delivery, by org name."""
    rows = session.execute(
        select(Org.name, OutboxMessage.status, func.count())
        .join(Org, Org.id == OutboxMessage.org_id)
        .where(_FAILING)
        .group_by(Org.name, OutboxMessage.status)
    ).all()
    counts: dict[str, list[int]] = {}
    for org, status, n in rows:
        counts.setdefault(org, [0, 0])[0 if status == "failed" else 1] += n
    return [(org, failed, retrying) for org, (failed, retrying) in sorted(counts.items())]


def failing_deliveries(session: Session, limit: int = 200) -> list[FailingDelivery]:
    """The most recently active failing deliveries across orgs: when, state, attempts, the receiver's
    status code and error. No URL, payload or task content: an operator's view."""
    rows = session.execute(
        select(OutboxMessage, Org.name, Task.task_id)
        .join(Org, Org.id == OutboxMessage.org_id)
        .outerjoin(Task, Task.seq == OutboxMessage.task_seq)
        .where(_FAILING)
        # Through the (status, next_attempt_at) index, not a walk of every delivered row.
        .order_by(OutboxMessage.next_attempt_at.desc(), OutboxMessage.id.desc())
        .limit(limit)
    ).all()
    return [
        FailingDelivery(
            org,
            m.kind,
            task_id,
            "failed" if m.status == "failed" else "retrying",
            m.attempts,
            m.last_status_code,
            m.last_error,
            m.created_at,
            m.next_attempt_at if m.status == "pending" else None,
        )
        for m, org, task_id in rows
    ]
