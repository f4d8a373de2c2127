"""What operators see (CLI and the `/operator` console): orgs, people, projects, tasks no one can
take, the workforce's numbers and the queue's depth. Operational metadata only: never task
params, responses or attachments."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from labelworks.db.tables import (
    ApiKey,
    Assignment,
    Earning,
    Event,
    Org,
    Project,
    Task,
    TaskCount,
    TeamMember,
    User,
    WorkerProjectStats,
)
from labelworks.db.types import utcnow
from labelworks.services.project_settings import project_settings
from labelworks.services.work.eligibility import eligible_labellers
from labelworks.services.work.me import LABELS_DONE
from labelworks.services.work.skill import WORKFORCE_ROLES


@dataclass(frozen=True)
class OrgRow:
    name: str
    projects: int
    live_keys: int
    people: int
    created_at: dt.datetime


@dataclass(frozen=True)
class UserRow:
    email: str
    role: str
    org: str | None
    teams: list[str]
    created_at: dt.datetime


@dataclass(frozen=True)
class ProjectRow:
    org: str
    name: str
    type: str
    staged: bool
    pools: list[str]
    overlap: int
    review: bool
    relabel: bool
    pending: int
    completed: int


@dataclass(frozen=True)
class StalledRow:
    task_id: str
    project: str
    round: int
    since: dt.datetime


def list_orgs(session: Session) -> list[OrgRow]:
    def per_org(stmt: object) -> dict[int, int]:
        return dict(session.execute(stmt).all())  # type: ignore[call-overload]

    projects = per_org(select(Project.org_id, func.count()).group_by(Project.org_id))
    keys = per_org(
        select(ApiKey.org_id, func.count())
        .where(ApiKey.revoked_at.is_(None))
        .group_by(ApiKey.org_id)
    )
    people = per_org(select(TeamMember.org_id, func.count()).group_by(TeamMember.org_id))
    bound = per_org(
        select(User.org_id, func.count()).where(User.org_id.is_not(None)).group_by(User.org_id)
    )
    return [
        OrgRow(
            o.name,
            projects.get(o.id, 0),
            keys.get(o.id, 0),
            people.get(o.id, 0) + bound.get(o.id, 0),
            o.created_at,
        )
        for o in session.scalars(select(Org).order_by(Org.name))
    ]


def list_users(session: Session, org: Org | None = None) -> list[UserRow]:
    names = dict(session.execute(select(Org.id, Org.name)).all())
    teams: dict[int, list[str]] = {}
    for user_id, org_id in session.execute(select(TeamMember.user_id, TeamMember.org_id)):
        teams.setdefault(user_id, []).append(names.get(org_id, "?"))
    stmt = select(User).order_by(User.email)
    if org is not None:
        stmt = stmt.where(
            (User.org_id == org.id)
            | User.id.in_(select(TeamMember.user_id).where(TeamMember.org_id == org.id))
        )
    return [
        UserRow(
            u.email,
            u.role,
            names.get(u.org_id) if u.org_id else None,
            sorted(teams.get(u.id, [])),
            u.created_at,
        )
        for u in session.scalars(stmt)
    ]


def list_projects(session: Session, org: Org | None = None) -> list[ProjectRow]:
    counts: dict[tuple[int, str], int] = {
        (pid, status): n
        for pid, status, n in session.execute(
            select(Task.project_id, Task.status, func.count())
            .where(Task.kind == "task")
            .group_by(Task.project_id, Task.status)
        )
    }
    stmt = (
        select(Project, Org.name)
        .join(Org, Org.id == Project.org_id)
        .where(Project.archived.is_(False))
        .order_by(Org.name, Project.name)
    )
    if org is not None:
        stmt = stmt.where(Project.org_id == org.id)
    out = []
    for project, org_name in session.execute(stmt):
        settings = project_settings(project.params)
        out.append(
            ProjectRow(
                org_name,
                project.name,
                project.type,
                bool(project.studio) or settings.staging,
                list(settings.pools),
                settings.overlap,
                settings.review,
                settings.allow_relabel_by_same_worker,
                counts.get((project.id, "pending"), 0),
                counts.get((project.id, "completed"), 0),
            )
        )
    return out


def stalled_tasks(session: Session, org: Org) -> list[StalledRow]:
    """Pending tasks recorded as stalled (no eligible person after a reject) that still have
    no one who could take them now."""
    rows = session.execute(
        select(Task, Project.name, func.max(Event.created_at))
        .join(Event, Event.task_seq == Task.seq)
        .join(Project, Project.id == Task.project_id)
        .where(
            Event.org_id == org.id,
            Event.event == "stalled",
            Task.org_id == org.id,
            Task.status == "pending",
        )
        .group_by(Task.seq, Project.name)
        .order_by(Task.seq)
    ).all()
    out = []
    for task, project_name, since in rows:
        project = session.get(Project, task.project_id)
        assert project is not None
        if eligible_labellers(session, task, project_settings(project.params)) == 0:
            out.append(StalledRow(task.task_id, project_name, task.round, since))
    return out


# --- the operator console -------------------------------------------------------------------------

THROUGHPUT_DAYS = 7


@dataclass(frozen=True)
class WorkerRow:
    user_id: int
    email: str
    role: str
    gold_accuracy: float | None  # mean over every gold answer in the rolling windows
    gold_answered: int
    labels_per_day: float  # over the last THROUGHPUT_DAYS days
    earnings: float  # the whole ledger
    paused_projects: int
    qualified: list[str]  # "org / project" where training is passed (or granted)


@dataclass(frozen=True)
class ProjectChoice:
    id: int
    label: str  # "org / project"
    rate_per_label: float
    rate_per_review: float
    require_training: bool


def _labels_since(since: dt.datetime) -> tuple[ColumnElement[bool], ...]:
    # A label is submitted before its lease ends, so `lease_expires_at >= since` is implied by
    # `submitted_at >= since`; stating it lets the (status, lease_expires_at) index bound the scan.
    return (
        Assignment.stage == "label",
        Assignment.status.in_(LABELS_DONE),
        Assignment.lease_expires_at >= since,
        Assignment.submitted_at >= since,
    )


def workforce(session: Session, search: str = "", limit: int = 200) -> list[WorkerRow]:
    """Annotators and reviewers (by email, at most `limit`; `search`: part of the email) with
    their numbers."""
    stmt = select(User.id, User.email, User.role).where(User.role.in_(WORKFORCE_ROLES))
    if search:
        stmt = stmt.where(User.email.contains(search.strip().lower(), autoescape=True))
    people = session.execute(stmt.order_by(User.email).limit(limit)).all()
    ids = [p.id for p in people]
    if not ids:
        return []
    since = utcnow() - dt.timedelta(days=THROUGHPUT_DAYS)
    labels = dict(
        session.execute(
            select(Assignment.user_id, func.count())
            .where(*_labels_since(since), Assignment.user_id.in_(ids))
            .group_by(Assignment.user_id)
        ).all()
    )
    earned = dict(
        session.execute(
            select(Earning.user_id, func.sum(Earning.amount))
            .where(Earning.user_id.in_(ids))
            .group_by(Earning.user_id)
        ).all()
    )
    names = dict(session.execute(select(Project.id, Project.name)).all())
    orgs = dict(session.execute(select(Project.id, Org.name).join(Org)).all())
    scores: dict[int, list[float]] = {}
    paused: dict[int, int] = {}
    qualified: dict[int, list[str]] = {}
    for stats in session.scalars(
        select(WorkerProjectStats).where(WorkerProjectStats.user_id.in_(ids))
    ):
        scores.setdefault(stats.user_id, []).extend(stats.gold_scores)
        paused[stats.user_id] = paused.get(stats.user_id, 0) + int(stats.paused)
        if stats.training_passed:
            label = f"{orgs.get(stats.project_id)} / {names.get(stats.project_id)}"
            qualified.setdefault(stats.user_id, []).append(label)
    out = []
    for p in people:
        mine = scores.get(p.id, [])
        out.append(
            WorkerRow(
                p.id,
                p.email,
                p.role,
                sum(mine) / len(mine) if mine else None,
                len(mine),
                round(labels.get(p.id, 0) / THROUGHPUT_DAYS, 2),
                round(float(earned.get(p.id) or 0.0), 2),
                paused.get(p.id, 0),
                sorted(qualified.get(p.id, [])),
            )
        )
    return out


def labels_per_day(session: Session, days: int = 14) -> list[tuple[dt.datetime, int]]:
    """Labels submitted across the workforce per UTC day, oldest first (today included): one
    pass over the window's range of the (status, lease_expires_at) index, grouped by day."""
    today = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
    first = today - dt.timedelta(days=days - 1)
    day = _utc_day(session, Assignment.submitted_at)
    rows = session.execute(select(day, func.count()).where(*_labels_since(first)).group_by(day))
    counts: dict[str, int] = {str(d): int(n) for d, n in rows}
    out = []
    for back in range(days - 1, -1, -1):
        start = today - dt.timedelta(days=back)
        out.append((start, int(counts.get(start.date().isoformat(), 0))))
    return out


def _utc_day(session: Session, column: Any) -> Any:
    """'YYYY-MM-DD' of a UTC timestamp column (SQLite stores it naive, as ISO text)."""
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM-DD")
    return func.substr(column, 1, 10)


def project_choices(session: Session) -> list[ProjectChoice]:
    """Active projects for the console's forms (pay rates, qualifications)."""
    rows = session.execute(
        select(Project, Org.name)
        .join(Org, Org.id == Project.org_id)
        .where(Project.archived.is_(False))
        .order_by(Org.name, Project.name)
    ).all()
    return [
        ProjectChoice(
            project.id,
            f"{org_name} / {project.name}",
            project.rate_per_label,
            project.rate_per_review,
            project_settings(project.params).require_training,
        )
        for project, org_name in rows
    ]


@dataclass(frozen=True)
class ProjectQueue:
    name: str
    pending: int  # real tasks waiting for labels or review (gold and training left out)
    oldest: dt.datetime | None  # creation time of the oldest of them


@dataclass(frozen=True)
class OrgQueue:
    org: str
    pending: int
    oldest: dt.datetime | None
    projects: list[ProjectQueue]


def queue_depth(session: Session) -> list[OrgQueue]:
    """Pending tasks and the oldest one's creation time per org and project. Depths come from
    the `task_counts` counters (kept in the work's own transactions, so no count of the tasks
    table); the oldest is the first row of the (org_id, project_id, status, seq) index."""
    out = []
    org_names = dict(session.execute(select(Org.id, Org.name)).all())
    depth: dict[tuple[int, int], int] = {}
    for org_id, project_id, n in session.execute(
        select(TaskCount.org_id, TaskCount.project_id, func.sum(TaskCount.n))
        .where(
            TaskCount.status == "pending",
            TaskCount.kind == "task",
            TaskCount.is_test.is_(False),
        )
        .group_by(TaskCount.org_id, TaskCount.project_id)
    ):
        if n:
            depth[(org_id, project_id)] = int(n)
    names = dict(
        session.execute(
            select(Project.id, Project.name).where(Project.id.in_({p for _, p in depth}))
        ).all()
    )
    by_org: dict[int, list[ProjectQueue]] = {}
    for (org_id, pid), pending in sorted(depth.items(), key=lambda item: names.get(item[0][1], "")):
        oldest = session.scalar(
            select(Task.created_at)
            .where(
                Task.org_id == org_id,
                Task.project_id == pid,
                Task.status == "pending",
                Task.kind == "task",
            )
            .order_by(Task.seq)
            .limit(1)
        )
        by_org.setdefault(org_id, []).append(ProjectQueue(names.get(pid, "?"), pending, oldest))
    for org_id, org_name in sorted(org_names.items(), key=lambda item: item[1]):
        rows = by_org.get(org_id)
        if rows:
            times = [r.oldest for r in rows if r.oldest is not None]
            out.append(
                OrgQueue(org_name, sum(r.pending for r in rows), min(times, default=None), rows)
            )
    return out
