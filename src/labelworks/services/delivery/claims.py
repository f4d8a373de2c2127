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
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Row, Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from labelworks.db.tables import DeliveryAttempt, Org, OutboxMessage, Task
from labelworks.db.types import utcnow
from labelworks.services import trail
from labelworks.services.delivery.backoff import retry_delay
from labelworks.settings import Settings

INTERRUPTED = "interrupted: the worker sending it stopped before recording a result"


@dataclass(frozen=True)
class Job:
    """One claimed message, with everything needed to send it outside any transaction."""

    outbox_id: int
    attempt: int
    url: str
    payload: dict[str, Any]
    secret: str
    task_seq: int | None  # set for task callbacks: the task whose callback_succeeded it decides


@dataclass(frozen=True)
class Outcome:
    job: Job
    duration_ms: float
    status_code: int | None
    error: str | None
    # Refused by policy (SSRF guard, malformed URL): retrying cannot help, so it fails at once.
    final: bool = False

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def lease_seconds(settings: Settings) -> float:
    """The lease must outlast a send (its timeout) with room to record the result."""
    return max(settings.delivery_lease_seconds, 2 * settings.callback_timeout_seconds + 1)


def any_due(session: Session) -> bool:
    """A cheap read that lets an idle worker skip the write transaction of a claim."""
    stmt = (
        select(OutboxMessage.id)
        .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= utcnow())
        .limit(1)
    )
    return session.scalar(stmt) is not None


def claim(session: Session, worker_id: str, limit: int, settings: Settings) -> list[Job]:
    """Claim up to `limit` due messages for `worker_id`, in the caller's write transaction."""
    now = utcnow()
    rows = session.execute(
        select(
            OutboxMessage.id,
            OutboxMessage.attempts,
            OutboxMessage.claimed_by,
            OutboxMessage.url,
            OutboxMessage.payload,
            OutboxMessage.task_seq,
            OutboxMessage.kind,
            OutboxMessage.org_id,
            Org.callback_secret,
        )
        .join(Org, Org.id == OutboxMessage.org_id)
        .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at)
        .limit(limit)
        .with_for_update(skip_locked=True, of=OutboxMessage)
    ).all()
    if not rows:
        return []
    ids = [row.id for row in rows]
    lapsed = [row.id for row in rows if row.claimed_by is not None]
    if lapsed:
        session.execute(
            update(DeliveryAttempt)
            .where(
                DeliveryAttempt.outbox_id.in_(lapsed),
                DeliveryAttempt.duration_ms.is_(None),
                DeliveryAttempt.error.is_(None),
            )
            .values(error=INTERRUPTED)
        )
    expires = now + dt.timedelta(seconds=lease_seconds(settings))
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids))
        .values(
            attempts=OutboxMessage.attempts + 1,
            claimed_by=worker_id,
            claim_expires_at=expires,
            next_attempt_at=expires,
        )
        .execution_options(synchronize_session=False)
    )
    session.execute(
        insert(DeliveryAttempt),
        [{"outbox_id": row.id, "attempt": row.attempts + 1, "started_at": now} for row in rows],
    )
    _trail_sends(session, rows)
    return [
        Job(
            row.id,
            row.attempts + 1,
            row.url,
            row.payload,
            row.callback_secret,
            row.task_seq if row.kind == "task" else None,
        )
        for row in rows
    ]


def _trail_sends(session: Session, rows: Sequence[Row[Any]]) -> None:
    """A claimed message is about to carry the org's content out: one trail record per org,
    in the claim's transaction, naming the tasks (or batches) sent."""
    by_org: dict[int, list[str]] = {}
    for row in rows:
        payload = row.payload if isinstance(row.payload, dict) else {}
        batch = payload.get("batch")
        name = payload.get("task_id") or (batch.get("name") if isinstance(batch, dict) else None)
        by_org.setdefault(row.org_id, []).append(str(name or f"outbox:{row.id}"))
    for org_id, objects in by_org.items():
        trail.record(session, trail.CALLBACK, "callback.send", objects, org_id=org_id)


# Bulk statements (executemany): one round trip each, however many outcomes a turn records.
_outbox = cast(Table, OutboxMessage.__table__)
_attempts = cast(Table, DeliveryAttempt.__table__)
_record_attempt = (
    update(_attempts)
    .where(_attempts.c.outbox_id == bindparam("o_id"), _attempts.c.attempt == bindparam("o_n"))
    .values(
        duration_ms=bindparam("duration_ms"),
        status_code=bindparam("status_code"),
        error=bindparam("error"),
    )
)
_succeed = (
    update(_outbox)
    .where(_outbox.c.id == bindparam("o_id"), _outbox.c.status == "pending")
    .values(
        status="succeeded",
        delivered_at=bindparam("now"),
        claimed_by=None,
        claim_expires_at=None,
        last_status_code=bindparam("status_code"),
        last_error=None,
    )
)
# A failure counts only while the claim is still ours: after a lapsed lease, another worker
# owns the message and its outcome decides.
_mine = (
    _outbox.c.id == bindparam("o_id"),
    _outbox.c.status == "pending",
    _outbox.c.claimed_by == bindparam("worker"),
    _outbox.c.attempts == bindparam("o_n"),
)
_retry = (
    update(_outbox)
    .where(*_mine)
    .values(
        next_attempt_at=bindparam("next_at"),
        claimed_by=None,
        claim_expires_at=None,
        last_status_code=bindparam("status_code"),
        last_error=bindparam("error"),
    )
)
_give_up = (
    update(_outbox)
    .where(*_mine)
    .values(
        status="failed",
        claimed_by=None,
        claim_expires_at=None,
        last_status_code=bindparam("status_code"),
        last_error=bindparam("error"),
    )
)


def record(
    session: Session,
    worker_id: str,
    outcomes: list[Outcome],
    settings: Settings,
    rng: random.Random | None = None,
) -> None:
    """Write the attempts' results and each message's next state, in one transaction."""
    if not outcomes:
        return
    now = utcnow()
    conn = session.connection()
    params = [
        {
            "o_id": o.job.outbox_id,
            "o_n": o.job.attempt,
            "worker": worker_id,
            "now": now,
            "duration_ms": o.duration_ms,
            "status_code": o.status_code,
            "error": o.error,
        }
        for o in outcomes
    ]
    conn.execute(_record_attempt, params)
    succeeded = [p for p, o in zip(params, outcomes, strict=True) if o.ok]
    if succeeded:
        conn.execute(_succeed, succeeded)
        _set_callback_succeeded(session, [o.job.task_seq for o in outcomes if o.ok], True)
    retries = []
    exhausted = []
    for p, o in zip(params, outcomes, strict=True):
        if o.ok:
            continue
        if o.final or o.job.attempt >= settings.callback_max_attempts:
            exhausted.append((p, o))
        else:
            delay = retry_delay(o.job.attempt, settings, rng)
            retries.append({**p, "next_at": now + dt.timedelta(seconds=delay)})
    if retries:
        conn.execute(_retry, retries)
    for p, o in exhausted:  # rare: one statement each, to know whether it applied
        if conn.execute(_give_up, p).rowcount:
            _set_callback_succeeded(session, [o.job.task_seq], False)


def _set_callback_succeeded(session: Session, seqs: list[int | None], value: bool) -> None:
    wanted = sorted({seq for seq in seqs if seq is not None})
    if wanted:
        session.execute(
            update(Task)
            .where(Task.seq.in_(wanted))
            .values(callback_succeeded=value)
            .execution_options(synchronize_session=False)
        )
