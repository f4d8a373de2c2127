"""Every task and batch status change, each with its append-only event row.

Task: created (pending) -> [label -> review] -> completed; canceled; a reject (review or customer
audit) sends a completed or reviewed task back to labeling (`reworked`, a new round). Batch:
staging -> in_progress (opened) -> completed, back to in_progress when one of its tasks is
reworked. Each change and its `events` row are written in the caller's transaction, by the one
writer `record()` (the hook for an access trail later).

This module depends only on tables, settings, eligibility and the outbox, so the services that change
statuses (`tasks`, `batches`, `work/submissions`, `completion`) import it and not each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session

from labelworks.api.serialize import task_json
from labelworks.db.tables import Assignment, Batch, Event, Project, Task
from labelworks.db.types import utcnow
from labelworks.services import counters
from labelworks.services.delivery.outbox import enqueue_batch_callback, enqueue_task_callback
from labelworks.services.project_settings import ProjectSettings, project_settings
from labelworks.services.projects import SHOWN_NAME
from labelworks.services.scope import Principal, found, of_org, owned
from labelworks.services.work.eligibility import eligible_labellers

# Effectively unlimited: the unique (task, user, stage, round) assignment index stops repeats.
GOLD_SLOTS = 1_000_000_000


@dataclass(frozen=True)
class Actor:
    """Who made a change: an API key, a signed-in user, a worker, or the platform itself."""

    kind: str  # api_key | user | worker | system
    id: str | None = None

    @classmethod
    def of(cls, principal: Principal) -> Actor:
        if principal.kind == "api_key":
            return cls("api_key", None if principal.key_id is None else str(principal.key_id))
        if principal.kind == "user":
            return cls("user", None if principal.user_id is None else str(principal.user_id))
        return SYSTEM

    @classmethod
    def worker(cls, user_id: int) -> Actor:
        return cls("worker", str(user_id))


SYSTEM = Actor("system")


def record(
    session: Session,
    org_id: int,
    event: str,
    actor: Actor,
    *,
    task: Task | None = None,
    batch: Batch | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """The one event writer: append a row in the current transaction."""
    session.add(
        Event(
            org_id=org_id,
            subject="task" if task is not None else "batch",
            task_seq=task.seq if task is not None else None,
            batch_id=batch.id if batch is not None else None,
            event=event,
            from_status=from_status,
            to_status=to_status,
            actor_kind=actor.kind,
            actor_id=actor.id,
            detail=detail or {},
            created_at=utcnow(),
        )
    )


# --- tasks -------------------------------------------------------------------------------------


def initial_slots(task_kind: str, overlap: int) -> int:
    """Gold and training tasks are shown to every eligible annotator once; others `overlap` times."""
    return GOLD_SLOTS if task_kind != "task" else overlap


def task_created(session: Session, task: Task, actor: Actor) -> None:
    counters.task_added(session, task)
    detail = {"kind": task.kind} if task.kind != "task" else None
    record(session, task.org_id, "created", actor, task=task, to_status="pending", detail=detail)


def task_to_review(session: Session, task: Task, actor: Actor) -> None:
    """All labels are in and the project reviews: one review slot opens."""
    task.stage = "review"
    task.open_slots = 1
    task.updated_at = utcnow()
    session.flush()
    record(
        session, task.org_id, "to_review", actor, task=task, from_status="pending",
        to_status="pending", detail={"stage": "review"},
    )  # fmt: skip


def complete_task(
    session: Session,
    task: Task,
    response: dict[str, Any],
    actor: Actor = SYSTEM,
    detail: dict[str, Any] | None = None,
) -> None:
    """Write the final answer, queue the callback, complete the batch when it is the last one.
    The caller holds the task row (locked on PostgreSQL)."""
    before = task.status
    now = utcnow()
    task.response = response
    task.status = "completed"
    task.stage = "done"
    task.open_slots = 0
    task.completed_at = now
    task.updated_at = now
    session.flush()
    counters.task_moved(session, task, before, "completed")
    if task.kind == "task":
        counters.activity(session, task, completed=1)
    record(
        session, task.org_id, "completed", actor, task=task, from_status=before,
        to_status="completed", detail=detail,
    )  # fmt: skip
    batch = session.get(Batch, task.batch_id) if task.batch_id else None
    if task.callback_url:
        # A projectless task's payload shows no project (its default project stays hidden).
        project = session.scalar(select(SHOWN_NAME).where(Project.id == task.project_id))
        enqueue_task_callback(
            session, task, task_json(task, project, batch.name if batch else None)
        )
    if batch is not None:
        maybe_complete_batch(session, batch, actor)


def cancel_task(session: Session, task: Task, actor: Actor) -> None:
    before = task.status
    task.status = "canceled"
    task.open_slots = 0
    task.updated_at = utcnow()
    session.flush()
    counters.task_moved(session, task, before, "canceled")
    record(session, task.org_id, "canceled", actor, task=task, from_status=before,
           to_status="canceled")  # fmt: skip
    if task.batch_id is not None:
        batch = session.get(Batch, task.batch_id)
        assert batch is not None
        maybe_complete_batch(session, batch, actor)


def rework(
    session: Session,
    task: Task,
    settings: ProjectSettings,
    actor: Actor,
    reason: str,
    detail: dict[str, Any] | None = None,
) -> None:
    """Send a task back to labeling in a new round with fresh slots (review reject or customer
    audit); a completed batch is in progress again."""
    before = task.status
    task.status = "pending"
    task.stage = "label"
    task.labels_submitted = 0
    task.open_slots = settings.overlap
    task.round += 1
    task.completed_at = None
    task.updated_at = utcnow()
    session.flush()
    counters.task_moved(session, task, before, "pending")
    record(
        session, task.org_id, "reworked", actor, task=task, from_status=before,
        to_status="pending", detail={"reason": reason, "round": task.round, **(detail or {})},
    )  # fmt: skip
    if task.batch_id is not None:
        batch = session.get(Batch, task.batch_id)
        if batch is not None and batch.status == "completed":
            batch.status = "in_progress"
            batch.updated_at = utcnow()
            session.flush()
            record(session, batch.org_id, "reopened", actor, batch=batch,
                   from_status="completed", to_status="in_progress")  # fmt: skip
    if eligible_labellers(session, task, settings) == 0:
        task_stalled(session, task, "no-eligible-worker", {
            "allow_relabel_by_same_worker": settings.allow_relabel_by_same_worker,
        })  # fmt: skip


def rework_after_audit(session: Session, task: Task, actor: Actor) -> None:
    """A customer rejected a completed task: its accepted labels no longer count (paid work stays
    paid: the ledger is append-only) and the task goes back to labeling."""
    session.execute(
        update(Assignment)
        .where(
            Assignment.task_seq == task.seq,
            Assignment.stage == "label",
            Assignment.status == "accepted",
        )
        .values(status="rejected")
    )
    project = session.get(Project, task.project_id)
    assert project is not None
    rework(session, task, project_settings(project.params), actor, "audit_rejected")


def task_stalled(session: Session, task: Task, reason: str, detail: dict[str, Any]) -> None:
    """No eligible person can take this task now (e.g. after a reject, when its earlier
    labellers are the only eligible people): recorded so customer and operators see it."""
    record(
        session, task.org_id, "stalled", SYSTEM, task=task, from_status=task.status,
        to_status=task.status, detail={"reason": reason, **detail},
    )  # fmt: skip


# --- batches -----------------------------------------------------------------------------------


def batch_created(session: Session, batch: Batch, actor: Actor) -> None:
    record(session, batch.org_id, "created", actor, batch=batch, to_status=batch.status)


def open_batch(session: Session, batch: Batch, overlap: int, actor: Actor) -> None:
    """staging -> in_progress: the batch's tasks join the work queue. An empty batch stays open
    (as in Scale): tasks may still be added."""
    if batch.status != "staging":
        return
    batch.status = "in_progress"
    batch.updated_at = utcnow()
    session.execute(
        update(Task)
        .where(of_org(Task, batch), Task.batch_id == batch.id, Task.status == "pending")
        .values(open_slots=case((Task.kind == "task", overlap), else_=GOLD_SLOTS))
    )
    session.flush()
    record(session, batch.org_id, "opened", actor, batch=batch, from_status="staging",
           to_status="in_progress")  # fmt: skip
    maybe_complete_batch(session, batch, actor)  # all its tasks may be done already


def maybe_complete_batch(session: Session, batch: Batch, actor: Actor = SYSTEM) -> None:
    """An open batch with tasks is completed once none of them is pending."""
    if batch.status != "in_progress":
        return
    if _count(session, batch, "pending") or not _count(session, batch, None):
        return
    batch.status = "completed"
    batch.updated_at = utcnow()
    session.flush()
    record(session, batch.org_id, "completed", actor, batch=batch, from_status="in_progress",
           to_status="completed")  # fmt: skip
    if batch.callback:
        project = session.scalar(select(Project.name).where(Project.id == batch.project_id))
        enqueue_batch_callback(session, batch, project or "", batch_counts(session, batch))


def _count(session: Session, batch: Batch, status: str | None) -> int:
    # Gold and training tasks never complete; they do not hold a batch open.
    stmt = (
        select(func.count())
        .select_from(Task)
        .where(of_org(Task, batch), Task.batch_id == batch.id, Task.kind == "task")
    )
    if status is not None:
        stmt = stmt.where(Task.status == status)
    return session.scalar(stmt) or 0


def batch_counts(session: Session, batch: Batch) -> dict[str, Any]:
    """A batch's status and its task counts, as Scale's batch status endpoint shows them."""
    counts = dict(
        session.execute(
            select(Task.status, func.count())
            .where(of_org(Task, batch), Task.batch_id == batch.id)
            .group_by(Task.status)
        ).all()
    )
    out: dict[str, Any] = {"status": batch.status}
    for status in ("pending", "completed", "error", "canceled"):
        out[f"tasks_{status}"] = counts.get(status, 0)
    for status in ("pending", "completed", "error", "canceled"):
        out[status] = counts.get(status, 0)
    return out


# --- history -----------------------------------------------------------------------------------


def task_history(session: Session, principal: Principal, task_id: str) -> list[Event]:
    """A task's events, oldest first; another org's task is not found."""
    seq = found(
        session.scalar(owned(select(Task.seq), Task, principal).where(Task.task_id == task_id)),
        "task",
        task_id,
    )
    return list(
        session.scalars(
            select(Event).where(of_org(Event, principal), Event.task_seq == seq).order_by(Event.id)
        )
    )


def batch_history(session: Session, batch: Batch) -> list[Event]:
    return list(
        session.scalars(
            select(Event).where(of_org(Event, batch), Event.batch_id == batch.id).order_by(Event.id)
        )
    )
