"""`GET /v1/tasks`: filters and keyset pagination.

The walk orders by `seq` descending inside the org — newest first, as Scale lists — and each page
continues strictly below the last `seq` served, so a task created during a walk (a higher `seq`)
lands before the first page and each match is returned exactly once. `next_token` is that last
`seq`, bound to the filters and signed, so a forged or reused-with-other-filters token is a 400
rather than a silent wrong page. `total` is counted on the first page and carried in the
token, so walking a large listing costs one count, not one per page.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from labelworks.db.sealing import lookup_hash
from labelworks.db.tables import Project, Task, TaskTag
from labelworks.errors import InvalidRequest
from labelworks.services import trail
from labelworks.services.batches import get_batch
from labelworks.services.projects import SHOWN_NAME, get_project
from labelworks.services.scope import Principal, of_org, owned
from labelworks.services.tasks import BatchAlias, TaskView

TASK_STATUSES = ("pending", "completed", "canceled", "error")
REVIEW_STATUSES = ("accepted", "fixed", "commented", "rejected", "pending")


@dataclass
class TaskFilters:
    start_time: dt.datetime | None = None
    end_time: dt.datetime | None = None
    status: str | None = None
    type: str | None = None
    project: str | None = None
    batch: str | None = None
    customer_review_status: list[str] = field(default_factory=list)
    unique_id: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    completed_after: dt.datetime | None = None
    completed_before: dt.datetime | None = None
    updated_after: dt.datetime | None = None
    updated_before: dt.datetime | None = None

    def fingerprint(self) -> str:
        raw = json.dumps(asdict(self), default=str, sort_keys=True)
        return hashlib.sha256(raw.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class TaskPage:
    """One keyset page of tasks; `next_token` is None on the last page."""

    views: list[TaskView]
    total: int
    limit: int
    has_more: bool
    next_token: str | None


def list_tasks(
    session: Session,
    principal: Principal,
    filters: TaskFilters,
    *,
    limit: int,
    next_token: str | None,
    secret: bytes,
    count_cap: int | None = None,
) -> TaskPage:
    """`count_cap`: count at most that many matches plus one (a page that shows "more than
    10,000" need not walk a million index entries); `total` is then at most `count_cap + 1`."""
    if not 1 <= limit <= 100:
        raise InvalidRequest("must be between 1 and 100", "limit")
    before, total = (
        decode_token(next_token, filters, principal, secret) if next_token else (None, None)
    )
    stmt = _filtered(session, principal, filters)
    if total is None:
        # Counted once per walk: later pages carry the first page's count in their token.
        matches = stmt.with_only_columns(Task.seq)
        if count_cap is not None:
            matches = matches.limit(count_cap + 1)
        total = session.scalar(select(func.count()).select_from(matches.subquery())) or 0
    page_stmt = (
        stmt.add_columns(SHOWN_NAME, BatchAlias.name)
        .join(Project, Project.id == Task.project_id)
        .outerjoin(BatchAlias, BatchAlias.id == Task.batch_id)
        .order_by(Task.seq.desc())
        .limit(limit + 1)
    )
    if before is not None:
        page_stmt = page_stmt.where(Task.seq < before)
    rows = session.execute(page_stmt).all()
    has_more = len(rows) > limit
    rows = rows[:limit]
    token = encode_token(rows[-1][0].seq, total, filters, principal, secret) if has_more else None
    trail.record(session, principal, "task.list", [row[0].task_id for row in rows])
    return TaskPage([TaskView(t, p, b) for t, p, b in rows], total, limit, has_more, token)


def _filtered(session: Session, principal: Principal, f: TaskFilters) -> Any:
    stmt = owned(select(Task), Task, principal)
    if f.project is not None:
        stmt = stmt.where(Task.project_id == get_project(session, principal, f.project).id)
    if f.batch is not None:
        stmt = stmt.where(Task.batch_id == get_batch(session, principal, f.batch).id)
    if f.status is not None:
        _one_of(f.status, TASK_STATUSES, "status")
        stmt = stmt.where(Task.status == f.status)
    if f.type is not None:
        stmt = stmt.where(Task.type == f.type)
    if f.customer_review_status:
        for s in f.customer_review_status:
            _one_of(s, REVIEW_STATUSES, "customer_review_status")
        stmt = stmt.where(Task.customer_review_status.in_(f.customer_review_status))
    # unique_id and tags are indexed by their keyed hashes (db/keyring.py); an org without a
    # lookup key has no task to match.
    if f.unique_id:
        keys = [lookup_hash(session, principal.org_id, u, create=False) for u in f.unique_id]
        stmt = stmt.where(Task.unique_key.in_([k for k in keys if k is not None]))
    if f.tags:
        # A task matches when it carries every tag asked for.
        for tag in f.tags:
            key = lookup_hash(session, principal.org_id, tag, create=False)
            stmt = stmt.where(
                Task.seq.in_(
                    select(TaskTag.task_seq).where(of_org(TaskTag, principal), TaskTag.tag == key)
                )
            )
    for column, low, high in (
        (Task.created_at, f.start_time, f.end_time),
        (Task.completed_at, f.completed_after, f.completed_before),
        (Task.updated_at, f.updated_after, f.updated_before),
    ):
        if low is not None:
            stmt = stmt.where(column >= low)
        if high is not None:
            stmt = stmt.where(column <= high)
    return stmt


def _one_of(value: str, allowed: tuple[str, ...], field_name: str) -> None:
    if value not in allowed:
        raise InvalidRequest(f"must be one of {', '.join(allowed)}", field_name)


def _sign(payload: bytes, secret: bytes) -> str:
    return hmac.new(secret, payload, hashlib.sha256).hexdigest()[:24]


def encode_token(
    seq: int, total: int, filters: TaskFilters, principal: Principal, secret: bytes
) -> str:
    payload = f"{seq}.{total}.{principal.org_id}.{filters.fingerprint()}".encode()
    raw = payload + b"." + _sign(payload, secret).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(
    token: str, filters: TaskFilters, principal: Principal, secret: bytes
) -> tuple[int, int]:
    """-> (last seq served, total counted on the first page)."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        payload, signature = raw.rsplit(b".", 1)
        seq_s, total_s, org_s, fingerprint = payload.decode().split(".")
        valid = hmac.compare_digest(signature.decode(), _sign(payload, secret))
    except (ValueError, UnicodeDecodeError):
        valid = False
    if not valid:
        raise InvalidRequest("is not a token this server issued", "next_token")
    if int(org_s) != principal.org_id or fingerprint != filters.fingerprint():
        raise InvalidRequest("was issued for other filters; restart the listing", "next_token")
    return int(seq_s), int(total_s)


__all__ = ["TaskFilters", "list_tasks"]
