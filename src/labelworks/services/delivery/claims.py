"""The database side of delivery: claim due messages under a lease, then record the outcome.

A claim sets `claimed_by`/`claim_expires_at` and moves `next_attempt_at` to the lease's end, so
a claimed row is simply not due for anyone else until its lease runs out; a worker killed
mid-send leaves a claim that expires and the message is sent again (at-least-once).
PostgreSQL picks rows with `FOR UPDATE SKIP LOCKED`; SQLite runs the claim inside the
`BEGIN IMMEDIATE` write transaction, which already excludes every other writer.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from labelworks.db.tables import DeliveryAttempt, OutboxMessage, Org, Task
from labelworks.db.types import utcnow
from labelworks.services.delivery.backoff import retry_delay
from labelworks.settings import Settings

INTERRUPTED = "interrupted: the worker sending it stopped before recording a result"


@dataclass(frozen=True)
class Job:
    """One claimed message, with everything needed to send it outside any transaction."""

    outbox_id: int
    attempt_id: int
    attempt: int
    url: str
    payload: dict[str, Any]
    secret: str


@dataclass(frozen=True)
class Outcome:
    job: Job
    duration_ms: float
    status_code: int | None
    error: str | None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def lease_seconds(settings: Settings) -> float:
    """The lease must outlast a send (its timeout) with room to record the result."""
    return max(settings.delivery_lease_seconds, 2 * settings.callback_timeout_seconds + 1)


def any_due(session: Session) -> bool:
    """A cheap read that lets an idle worker skip the write transaction of a claim."""
    stmt = select(OutboxMessage.id).where(
        OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= utcnow()).limit(1)
    return session.scalar(stmt) is not None


def claim(session: Session, worker_id: str, limit: int, settings: Settings) -> list[Job]:
    """Claim up to `limit` due messages for `worker_id`, in the caller's write transaction."""
    now = utcnow()
    rows = session.execute(
        select(OutboxMessage, Org.callback_secret)
        .join(Org, Org.id == OutboxMessage.org_id)
        .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at)
        .limit(limit)
        .with_for_update(skip_locked=True, of=OutboxMessage)
    ).all()
    if not rows:
        return []
    lapsed = [m.id for m, _ in rows if m.claimed_by is not None]
    if lapsed:
        session.execute(
            update(DeliveryAttempt)
            .where(DeliveryAttempt.outbox_id.in_(lapsed), DeliveryAttempt.duration_ms.is_(None),
                   DeliveryAttempt.error.is_(None))
            .values(error=INTERRUPTED)
        )
    expires = now + dt.timedelta(seconds=lease_seconds(settings))
    attempts = []
    for message, _ in rows:
        message.attempts += 1
        message.claimed_by = worker_id
        message.claim_expires_at = expires
        message.next_attempt_at = expires
        attempts.append(DeliveryAttempt(outbox_id=message.id, attempt=message.attempts,
                                        started_at=now))
    session.add_all(attempts)
    session.flush()
    return [
        Job(message.id, attempt.id, message.attempts, message.url, message.payload, secret)
        for (message, secret), attempt in zip(rows, attempts, strict=True)
    ]


def record(session: Session, worker_id: str, outcomes: list[Outcome], settings: Settings,
           rng: random.Random | None = None) -> None:
    """Write the attempts' results and each message's next state, in one transaction."""
    if not outcomes:
        return
    now = utcnow()
    attempts = {a.id: a for a in session.scalars(select(DeliveryAttempt).where(
        DeliveryAttempt.id.in_([o.job.attempt_id for o in outcomes])))}
    messages = {m.id: m for m in session.scalars(select(OutboxMessage).where(
        OutboxMessage.id.in_([o.job.outbox_id for o in outcomes])))}
    verdicts: dict[int, bool] = {}
    for outcome in outcomes:
        attempt = attempts.get(outcome.job.attempt_id)
        if attempt is not None:
            attempt.duration_ms = outcome.duration_ms
            attempt.status_code = outcome.status_code
            attempt.error = outcome.error
        message = messages.get(outcome.job.outbox_id)
        if message is None or message.status != "pending":
            continue
        verdict = _advance(message, outcome, worker_id, now, settings, rng)
        if verdict is not None and message.task_seq is not None and message.kind == "task":
            verdicts[message.task_seq] = verdict
    for verdict in (True, False):
        seqs = [seq for seq, v in verdicts.items() if v is verdict]
        if seqs:
            session.execute(update(Task).where(Task.seq.in_(seqs))
                            .values(callback_succeeded=verdict))


def _advance(message: OutboxMessage, outcome: Outcome, worker_id: str, now: dt.datetime,
             settings: Settings, rng: random.Random | None) -> bool | None:
    """Move one message on; returns the task's `callback_succeeded` when it is decided."""
    mine = message.claimed_by == worker_id and message.attempts == outcome.job.attempt
    if not outcome.ok and not mine:
        return None  # our lease lapsed and another worker owns the message now
    message.last_status_code = outcome.status_code
    message.last_error = outcome.error
    message.claimed_by = None
    message.claim_expires_at = None
    if outcome.ok:
        message.status = "succeeded"
        message.delivered_at = now
        return True
    if message.attempts >= settings.callback_max_attempts:
        message.status = "failed"
        return False
    delay = retry_delay(message.attempts, settings, rng)
    message.next_attempt_at = now + dt.timedelta(seconds=delay)
    return None
