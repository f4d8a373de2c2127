"""`GET /v1/tasks`: filters and keyset pagination.

The walk orders by `seq` descending inside the org — newest first, as Scale lists — and each page
continues strictly below the last `seq` served, so a task created during a walk (a higher `seq`)
lands before the first page and each match is returned exactly once. `next_token` is that last
`seq`, bound to the filters and signed, so a forged or reused-with-other-filters token is a 400
rather than a silent wrong page. `total` is counted on the first page and carried in the
token, so walking a large listing costs one count, not one per page.

Plans that keep a page cheap at a million tasks (benchmarks/RESULTS.md, "Task browser"): a tag
filter walks `task_tags (org_id, tag, task_seq)` backwards, so the page is read in `seq` order
instead of materialising every tagged task; a created-at range becomes a `seq` range (tasks are
stamped when inserted, so created_at follows seq), found by two lookups in the created_at index;
a completed/updated range wide enough to match many tasks is checked row by row along the `seq`
walk rather than through its own index, which would read and sort every match.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import UnaryExpression

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
# On SQLite a completed/updated range matching at most this many tasks is read through its own
# index and its matches sorted (~270 ms at 29k matches in a 1M org); a wider one is checked along
# the seq walk, which stops after a page of matches (RESULTS.md, "Task listing plans").
NARROW_RANGE = 50_000


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
    stmt, order = _filtered(session, principal, filters)
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
        .order_by(order.desc())
        .limit(limit + 1)
    )
    if before is not None:
        page_stmt = page_stmt.where(order < before)
    rows = session.execute(page_stmt).all()
    has_more = len(rows) > limit
    rows = rows[:limit]
    token = encode_token(rows[-1][0].seq, total, filters, principal, secret) if has_more else None
    trail.record(session, principal, "task.list", [row[0].task_id for row in rows])
    return TaskPage([TaskView(t, p, b) for t, p, b in rows], total, limit, has_more, token)


def _filtered(session: Session, principal: Principal, f: TaskFilters) -> tuple[Any, Any]:
    """-> (the matching tasks, the column the page orders and continues by: `Task.seq` or the
    equal `TaskTag.task_seq` of the first tag, whose index then yields the page in order)."""
    stmt = owned(select(Task), Task, principal)
    order: Any = Task.seq
    if f.tags:
        # A task matches when it carries every tag asked for. The page walks the first tag's
        # entries newest first; the others are probed per row. Tags are indexed by their keyed
        # hashes (db/keyring.py): an org without a lookup key has no task to match (None).
        keys = [lookup_hash(session, principal.org_id, t, create=False) for t in f.tags]
        tagged = select(Task).select_from(TaskTag).join(Task, Task.seq == TaskTag.task_seq)
        stmt = owned(tagged, Task, principal).where(
            of_org(TaskTag, principal), TaskTag.tag == keys[0]
        )
        order = TaskTag.task_seq
        for key in keys[1:]:
            other = TaskTag.__table__.alias()
            stmt = stmt.where(
                select(other.c.task_seq)
                .where(
                    other.c.org_id == principal.org_id,
                    other.c.tag == key,
                    other.c.task_seq == Task.seq,
                )
                .exists()
            )
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
    if f.unique_id:
        keys = [lookup_hash(session, principal.org_id, u, create=False) for u in f.unique_id]
        stmt = stmt.where(Task.unique_key.in_([k for k in keys if k is not None]))
    sqlite = session.get_bind().dialect.name == "sqlite"
    if f.start_time is not None or f.end_time is not None:
        stmt = stmt.where(*_created_as_seq(session, principal, f.start_time, f.end_time))
        # Kept as a check of each row, but not as an index SQLite could pick over the seq walk.
        created = _unindexed(Task.created_at) if sqlite else Task.created_at
        stmt = stmt.where(*_within(created, f.start_time, f.end_time))
    for column, low, high in (
        (Task.completed_at, f.completed_after, f.completed_before),
        (Task.updated_at, f.updated_after, f.updated_before),
    ):
        if low is None and high is None:
            continue
        # PostgreSQL's planner weighs the range against the order from its statistics; SQLite
        # would always take the range's index and sort every match, so it is told which is right.
        walk = sqlite and not _narrow(session, principal, column, low, high)
        stmt = stmt.where(*_within(_unindexed(column) if walk else column, low, high))
    return stmt, order


def _within(column: Any, low: dt.datetime | None, high: dt.datetime | None) -> list[Any]:
    return [
        *([column >= low] if low is not None else []),
        *([column <= high] if high is not None else []),
    ]


def _unindexed(column: Any) -> ColumnElement[Any]:
    """`+column`: the same value, but SQLite will not use an index on it for this term."""
    return UnaryExpression(column, operator=operators.custom_op("+"), type_=column.type)


def _narrow(
    session: Session,
    principal: Principal,
    column: Any,
    low: dt.datetime | None,
    high: dt.datetime | None,
) -> bool:
    """Does the range match at most NARROW_RANGE of the org's tasks? (Reads at most that many
    entries of the range's index and nothing else: an estimate for choosing the plan.)"""
    probe = select(Task.seq).where(of_org(Task, principal), *_within(column, low, high))
    matches = probe.limit(NARROW_RANGE + 1).subquery()
    return (session.scalar(select(func.count()).select_from(matches)) or 0) <= NARROW_RANGE


def _created_as_seq(
    session: Session,
    principal: Principal,
    low: dt.datetime | None,
    high: dt.datetime | None,
) -> list[Any]:
    """The created range as a seq range: the first task created at or after `low` and the last
    created at or before `high`, each one lookup in `(org_id, created_at)` (ties broken by seq).
    A range no task falls in yields a condition nothing matches."""
    # The org's tasks, not only the principal's (test/live, key projects): the bounds stay sound
    # and each lookup stays inside the index.
    tasks = select(Task.seq).where(of_org(Task, principal))
    bounds: list[Any] = []
    if low is not None:
        first = session.scalar(
            tasks.where(Task.created_at >= low).order_by(Task.created_at, Task.seq).limit(1)
        )
        bounds.append(Task.seq >= first if first is not None else Task.seq.is_(None))
    if high is not None:
        last = session.scalar(
            tasks.where(Task.created_at <= high)
            .order_by(Task.created_at.desc(), Task.seq.desc())
            .limit(1)
        )
        bounds.append(Task.seq <= last if last is not None else Task.seq.is_(None))
    return bounds


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
