"""Annotators' standing per project: rolling gold accuracy, training, pauses."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from labelworks.db.tables import Assignment, Project, Task, User, WorkerProjectStats
from labelworks.db.types import utcnow
from labelworks.errors import NotFound
from labelworks.services.project_settings import ProjectSettings
from labelworks.services.scope import of_org

GOLD_WINDOW = 20  # rolling accuracy over the most recent gold answers
MIN_GOLD_FOR_PAUSE = 3  # never pause on one unlucky answer
PRIOR_SKILL = 0.7  # skill assumed before any gold is answered


def stats_for(session: Session, user_id: int, project_id: int) -> WorkerProjectStats:
    """The row, created if missing (an upsert: concurrent completions may race to create it),
    and locked for this transaction on PostgreSQL."""
    dialect = session.get_bind().dialect.name
    insert_fn = pg_insert if dialect == "postgresql" else sqlite_insert
    session.execute(
        insert_fn(WorkerProjectStats)
        .values(
            user_id=user_id,
            project_id=project_id,
            gold_scores=[],
            training_scores=[],
            training_passed=False,
            paused=False,
            updated_at=utcnow(),
        )
        .on_conflict_do_nothing()
    )
    stmt = select(WorkerProjectStats).where(
        WorkerProjectStats.user_id == user_id, WorkerProjectStats.project_id == project_id
    )
    if dialect == "postgresql":
        stmt = stmt.with_for_update()
    row = session.scalar(stmt.execution_options(populate_existing=True))
    assert row is not None
    return row


def record_gold(
    session: Session, assignment: Assignment, score: float, settings: ProjectSettings
) -> WorkerProjectStats:
    stats = stats_for(session, assignment.user_id, assignment.project_id)
    scores = [*stats.gold_scores, score][-GOLD_WINDOW:]
    stats.gold_scores = scores
    stats.gold_accuracy = sum(scores) / len(scores)
    stats.updated_at = utcnow()
    if (
        settings.min_gold_accuracy > 0
        and len(scores) >= MIN_GOLD_FOR_PAUSE
        and stats.gold_accuracy < settings.min_gold_accuracy
        and not stats.paused
    ):
        stats.paused = True
        if settings.discard_labels_on_pause:
            discard_pending_labels(session, assignment.user_id, assignment.project_id)
    session.flush()
    return stats


def record_training(
    session: Session, assignment: Assignment, score: float, settings: ProjectSettings
) -> None:
    stats = stats_for(session, assignment.user_id, assignment.project_id)
    scores = [*stats.training_scores, score]
    stats.training_scores = scores
    total = session.scalar(
        select(func.count())
        .select_from(Task)
        .where(
            of_org(Task, assignment),
            Task.kind == "training",
            Task.project_id == assignment.project_id,
        )
    )
    # Qualified once every training task (at most 5) is answered at the pass rate.
    needed = min(int(total or 0), 5)
    if len(scores) >= needed and sum(scores) / len(scores) >= settings.training_pass_rate:
        stats.training_passed = True
    stats.updated_at = utcnow()
    session.flush()


def discard_pending_labels(session: Session, user_id: int, project_id: int) -> None:
    """Drop a paused annotator's labels on tasks not yet completed and re-open those slots."""
    rows = session.execute(
        select(Assignment.id, Assignment.task_seq)
        .join(Task, Task.seq == Assignment.task_seq)
        .where(
            Assignment.user_id == user_id,
            Assignment.project_id == project_id,
            Assignment.stage == "label",
            Assignment.status == "submitted",
            Task.status == "pending",
            Task.stage == "label",
            Task.kind == "task",
        )
    ).all()
    for row in rows:
        session.execute(
            update(Assignment).where(Assignment.id == row.id).values(status="discarded")
        )
        session.execute(
            update(Task)
            .where(Task.seq == row.task_seq)
            .values(labels_submitted=Task.labels_submitted - 1, open_slots=Task.open_slots + 1)
        )
    session.flush()


def skills(session: Session, project_id: int, user_ids: list[int]) -> dict[int, float]:
    rows = session.execute(
        select(WorkerProjectStats.user_id, WorkerProjectStats.gold_accuracy).where(
            WorkerProjectStats.project_id == project_id, WorkerProjectStats.user_id.in_(user_ids)
        )
    ).all()
    known = {u: acc for u, acc in rows if acc is not None}
    return {u: known.get(u, PRIOR_SKILL) for u in user_ids}


# --- operator actions (the `/operator` console) ---------------------------------------------------

WORKFORCE_ROLES = ("annotator", "reviewer")


def workforce_member(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or user.role not in WORKFORCE_ROLES:
        raise NotFound("no such annotator or reviewer", "user_id")
    return user


def set_paused(session: Session, user_id: int, paused: bool) -> int:
    """An operator's pause: the person's standing on every active project is paused (so `next`
    serves them nothing), or every pause is lifted (a low-gold pause included). The number of
    projects changed. A project created later starts unpaused."""
    workforce_member(session, user_id)
    if paused:
        project_ids = list(session.scalars(select(Project.id).where(Project.archived.is_(False))))
        for project_id in project_ids:
            stats_for(session, user_id, project_id).paused = True
        changed = len(project_ids)
    else:
        changed = session.execute(
            update(WorkerProjectStats)
            .where(WorkerProjectStats.user_id == user_id, WorkerProjectStats.paused.is_(True))
            .values(paused=False, updated_at=utcnow())
        ).rowcount  # type: ignore[attr-defined]
    session.flush()
    return int(changed or 0)


def set_qualified(session: Session, user_id: int, project_id: int, qualified: bool) -> None:
    """Grant (or revoke) the project's qualification, as if training were passed (or not)."""
    workforce_member(session, user_id)
    project = session.get(Project, project_id)
    if project is None or project.archived:
        raise NotFound("no such project", "project_id")
    if not qualified and not session.get(WorkerProjectStats, (user_id, project_id)):
        return
    stats = stats_for(session, user_id, project_id)
    stats.training_passed = qualified
    if not qualified:
        stats.training_scores = []  # re-qualifying starts over
    stats.updated_at = utcnow()
    session.flush()
