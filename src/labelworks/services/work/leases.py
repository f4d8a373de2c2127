"""The work queue: hand out leases (`next`), extend them, give them back, expire them.

Correctness rests on the database, not on process memory:
- the unique (task, user, stage) index on assignments: nobody works a task twice;
- `tasks.open_slots`, decremented in the same transaction that creates the lease, with the task
  row locked (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite serialises writers with
  `BEGIN IMMEDIATE`): no task gets more leases than its overlap.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
from collections import defaultdict
from typing import Any

from sqlalchemy import case, exists, func, or_, select, update
from sqlalchemy.orm import Session

from labelworks import clock
from labelworks.db.tables import (
    Assignment,
    Batch,
    BatchGroup,
    File,
    ProjectGroupMember,
    Task,
    User,
)
from labelworks.db.types import utcnow
from labelworks.errors import Conflict, NotFound
from labelworks.services import trail, walls
from labelworks.services.auth import Person
from labelworks.services.scope import of_org
from labelworks.services.work.eligibility import (
    NO_ELIGIBLE_WORK,
    REVIEW_ROLES,
    WALLED,
    EligibleProject,
    eligible_projects,
    why_no_work,
)
from labelworks.services.work.fairshare import FAIR_SHARE
from labelworks.services.work.views import lease_json

_SWEEP_EVERY = 1.0
_last_sweep = 0.0
_sweep_lock = threading.Lock()


def next_assignment(
    session: Session,
    person: Person,
    project_name: str | None,
    stage: str | None,
    lease_seconds: int,
    rng: random.Random | None = None,
) -> dict[str, Any] | str:
    """A new lease, or the reason there is none (`eligibility.why_no_work`). Without a stage,
    reviewers and admins get review work first, then label work; annotators label."""
    maybe_sweep(session)
    if stage is not None:
        return _next_at(session, person, project_name, stage, lease_seconds, rng)
    if person.role not in REVIEW_ROLES:
        return _next_at(session, person, project_name, "label", lease_seconds, rng)
    review = _next_at(session, person, project_name, "review", lease_seconds, rng)
    if not isinstance(review, str):
        return review
    return _next_at(session, person, project_name, "label", lease_seconds, rng)


def _next_at(
    session: Session,
    person: Person,
    project_name: str | None,
    stage: str,
    lease_seconds: int,
    rng: random.Random | None,
) -> dict[str, Any] | str:
    projects = eligible_projects(session, person, project_name, stage)
    if not projects:
        return why_no_work(session, person, project_name, stage)
    projects = _outside_walls(session, person, projects)
    if not projects:
        return WALLED
    chance: Any = rng or random  # the module's functions or a seeded Random
    by_org: dict[int, list[EligibleProject]] = defaultdict(list)
    for p in projects:
        by_org[p.org_id].append(p)
    weights = {org: ps[0].org_weight for org, ps in by_org.items()}
    closed = _closed_batches(session, person, [p.project_id for p in projects])
    for org in FAIR_SHARE.order(weights):
        seq = _pick_in_org(session, person, org, by_org[org], stage, chance, closed)
        if seq is not None:
            FAIR_SHARE.served(org, weights[org])
            return _lease(session, person, seq, stage, lease_seconds)
    return NO_ELIGIBLE_WORK


def _outside_walls(
    session: Session, person: Person, projects: list[EligibleProject]
) -> list[EligibleProject]:
    """Drop the orgs a conflict wall keeps this person from, judged from the rows as they are
    now. On PostgreSQL the person's row is locked first, so two `next` calls of one person
    run one after the other and the second sees the org the first one leased from."""
    if session.get_bind().dialect.name == "postgresql":
        # NO KEY UPDATE: serialises this person's `next` calls without blocking the foreign-key
        # checks of their concurrent submits (which take KEY SHARE on the same row).
        session.execute(
            select(User.id).where(User.id == person.user_id).with_for_update(key_share=True)
        )
    walled = walls.walled_orgs(session, person.user_id)
    return [p for p in projects if p.org_id not in walled] if walled else projects


def _pick_in_org(
    session: Session,
    person: Person,
    org: int,
    projects: list[EligibleProject],
    stage: str,
    rng: Any,
    closed: list[int],
) -> int | None:
    if stage == "review":
        return _pick(
            session, person, org, [p.project_id for p in projects], "review", "task", closed
        )
    qualifying = [p.project_id for p in projects if p.qualifying]
    working = [p for p in projects if not p.qualifying]
    if qualifying:
        seq = _pick(session, person, org, qualifying, "label", "training", closed)
        if seq is not None:
            return seq
    if not working:
        return None
    gold_projects = [
        p.project_id
        for p in working
        if p.settings.gold_rate > 0 and rng.random() < p.settings.gold_rate
    ]
    if gold_projects:
        seq = _pick(session, person, org, gold_projects, "label", "gold", closed)
        if seq is not None:
            return seq
    relabel = [p.project_id for p in working if p.settings.allow_relabel_by_same_worker]
    return _pick(
        session, person, org, [p.project_id for p in working], "label", "task", closed, relabel
    )


def _pick(
    session: Session,
    person: Person,
    org: int,
    project_ids: list[int],
    stage: str,
    kind: str,
    closed: list[int],
    relabel: list[int] | None = None,
) -> int | None:
    mine = (Assignment.task_seq == Task.seq, Assignment.user_id == person.user_id)
    # Nobody works a task twice at one stage; after a reject, earlier labellers label the new
    # round only where the project allows it.
    same_round = Assignment.round == Task.round
    done_before = exists().where(
        *mine,
        Assignment.stage == stage,
        same_round
        if stage == "review"
        else or_(same_round, Task.project_id.not_in(relabel or [-1])),
    )
    conditions = [
        Task.stage == stage,
        of_org(Task, org),
        Task.open_slots > 0,
        Task.kind == kind,
        Task.project_id.in_(project_ids),
        ~done_before,
    ]
    if stage == "review":
        # Nobody reviews their own label.
        conditions.append(
            ~exists().where(*mine, Assignment.stage == "label", Assignment.round == Task.round)
        )
    stmt = (
        select(Task.seq)
        .where(*conditions)
        .order_by(Task.batch_rank, Task.priority.desc(), Task.seq)
        .limit(1)
    )
    if closed:
        stmt = stmt.where((Task.batch_id.is_(None)) | (Task.batch_id.not_in(closed)))
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return session.scalar(stmt)


def _closed_batches(session: Session, person: Person, project_ids: list[int]) -> list[int]:
    """Batches of these projects assigned to project groups this person is not in
    (assign_studio_batches); read once per `next`."""
    rows = session.execute(
        select(BatchGroup.batch_id, BatchGroup.group_id)
        .join(Batch, Batch.id == BatchGroup.batch_id)
        .where(Batch.project_id.in_(project_ids))
    ).all()
    if not rows:
        return []
    mine = set(
        session.scalars(
            select(ProjectGroupMember.group_id).where(ProjectGroupMember.user_id == person.user_id)
        )
    )
    allowed: dict[int, bool] = defaultdict(bool)
    for batch_id, group_id in rows:
        allowed[batch_id] |= group_id in mine
    return [b for b, ok in allowed.items() if not ok]


def _lease(
    session: Session, person: Person, seq: int, stage: str, lease_seconds: int
) -> dict[str, Any]:
    task = session.get(Task, seq)
    assert task is not None
    assignment = Assignment(
        task_seq=seq,
        org_id=task.org_id,
        project_id=task.project_id,
        user_id=person.user_id,
        stage=stage,
        status="leased",
        task_kind=task.kind,
        round=task.round,
        lease_expires_at=utcnow() + dt.timedelta(seconds=lease_seconds),
    )
    session.add(assignment)
    walls.mark_worked(session, person.user_id, task.org_id)
    task.open_slots -= 1
    task.work_started = True
    session.flush()
    labels = labels_for_review(session, task) if stage == "review" else None
    # The task's content is served to this person: on the org's trail, in the lease's transaction.
    trail.record(
        session, person, "work.next", [task.task_id], org_id=task.org_id, object_type="task"
    )
    return lease_json(assignment, task, labels)


def submitted_labels(session: Session, task: Task) -> list[Assignment]:
    """The labels of the task's current round that await consensus or review."""
    return list(
        session.scalars(
            select(Assignment)
            .where(
                Assignment.task_seq == task.seq,
                Assignment.stage == "label",
                Assignment.status == "submitted",
                Assignment.round == task.round,
            )
            .order_by(Assignment.id)
        )
    )


def labels_for_review(session: Session, task: Task) -> list[dict[str, Any]]:
    return [{"label_id": a.id, "response": a.response} for a in submitted_labels(session, task)]


def own_assignment(
    session: Session, person: Person, assignment_id: int, lock: bool = True
) -> Assignment:
    stmt = select(Assignment).where(
        Assignment.id == assignment_id, Assignment.user_id == person.user_id
    )
    if lock and session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    assignment = session.scalar(stmt)
    if assignment is None:
        raise NotFound(f"no assignment {assignment_id}", "assignment_id")
    return assignment


def require_live(assignment: Assignment) -> None:
    if assignment.status != "leased":
        raise Conflict(f"this assignment is already {assignment.status}", "assignment_id")
    if assignment.lease_expires_at <= utcnow():
        raise Conflict("the lease has expired; ask for new work", "assignment_id")


def heartbeat(
    session: Session, person: Person, assignment_id: int, lease_seconds: int
) -> dict[str, Any]:
    assignment = own_assignment(session, person, assignment_id)
    require_live(assignment)
    assignment.lease_expires_at = utcnow() + dt.timedelta(seconds=lease_seconds)
    session.flush()
    from labelworks.db.types import iso

    return {"assignment_id": assignment.id, "lease_expires_at": iso(assignment.lease_expires_at)}


def skip(session: Session, person: Person, assignment_id: int) -> dict[str, Any]:
    assignment = own_assignment(session, person, assignment_id)
    require_live(assignment)
    assignment.status = "skipped"
    release_slots(session, {assignment.task_seq: 1}, assignment.stage)
    return {"assignment_id": assignment.id, "status": "skipped"}


def release_slots(session: Session, counts: dict[int, int], stage: str) -> None:
    """Give leases back to tasks still waiting at that stage."""
    for seq, n in counts.items():
        session.execute(
            update(Task)
            .where(Task.seq == seq, Task.status == "pending", Task.stage == stage)
            .values(open_slots=Task.open_slots + n)
        )
    session.flush()


def maybe_sweep(session: Session) -> None:
    """Expire overdue leases, at most once a second per process (an indexed, cheap query)."""
    global _last_sweep
    now = clock.monotonic()
    with _sweep_lock:
        if now - _last_sweep < _SWEEP_EVERY:
            return
        _last_sweep = now
    sweep_expired(session)


def sweep_expired(session: Session, limit: int = 1000) -> int:
    stmt = (
        select(Assignment.id, Assignment.task_seq, Assignment.stage)
        .where(Assignment.status == "leased", Assignment.lease_expires_at <= utcnow())
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    rows = session.execute(stmt).all()
    if not rows:
        return 0
    session.execute(
        update(Assignment).where(Assignment.id.in_([r.id for r in rows])).values(status="expired")
    )
    for stage in ("label", "review"):
        counts: dict[int, int] = defaultdict(int)
        for r in rows:
            if r.stage == stage:
                counts[r.task_seq] += 1
        release_slots(session, counts, stage)
    return len(rows)


def file_for_worker(session: Session, person: Person, file_id: str) -> File:
    """The file, if this person holds a live lease on work of the file's org; else not found."""
    file = session.get(File, file_id)
    if (
        file is None
        or session.scalar(
            select(Assignment.id)
            .where(
                Assignment.user_id == person.user_id,
                of_org(Assignment, file),
                Assignment.status == "leased",
                Assignment.lease_expires_at > utcnow(),
            )
            .limit(1)
        )
        is None
    ):
        raise NotFound(f"no file {file_id!r}", "file_id")
    trail.record(session, person, "file.content", [file.id], org_id=file.org_id)
    return file


def resize_open_slots(session: Session, org_id: int, project_id: int, overlap: int) -> None:
    """After a project's overlap changes, give its waiting tasks the slots the new overlap
    implies (labels already in and leases out count against it)."""
    leased = (
        select(func.count())
        .select_from(Assignment)
        .where(
            Assignment.task_seq == Task.seq,
            Assignment.stage == "label",
            Assignment.status == "leased",
        )
        .scalar_subquery()
    )
    wanted = overlap - Task.labels_submitted - leased
    served = or_(
        Task.batch_id.is_(None),
        Task.batch_id.in_(select(Batch.id).where(Batch.status != "staging")),
    )
    session.execute(
        update(Task)
        .where(
            of_org(Task, org_id),
            Task.project_id == project_id,
            Task.status == "pending",
            Task.stage == "label",
            Task.kind == "task",
            served,
        )
        .values(open_slots=case((wanted > 0, wanted), else_=0))
        .execution_options(synchronize_session=False)
    )
    session.flush()
