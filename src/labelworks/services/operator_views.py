"""What operators list from the CLI: orgs, people, projects, and tasks no one can take."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from labelworks.db.tables import ApiKey, Event, Org, Project, Task, TeamMember, User
from labelworks.services.project_settings import project_settings
from labelworks.services.work.eligibility import eligible_labellers


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
