"""Which projects a person may work on right now, and in which mode.

The one place that decides a worker's reach: platform pool vs. an org's own team (with Studio
assignments), role per stage, pauses after poor gold accuracy, and qualification by training.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import Session

from labelworks.db.tables import (
    Assignment,
    BatchGroup,
    Org,
    Project,
    ProjectGroupMember,
    StudioAssignment,
    Task,
    TeamMember,
    User,
    WorkerProjectStats,
)
from labelworks.errors import Forbidden
from labelworks.services.auth import Person
from labelworks.services.project_settings import ProjectSettings, project_settings

LABEL_ROLES = ("annotator", "reviewer", "admin")
REVIEW_ROLES = ("reviewer", "admin")

# Why `next` has no work (the `Labelworks-Reason` header of its 204).
NO_ELIGIBLE_WORK = "no-eligible-work"
NOT_ON_TEAM = "not-on-team"
PAUSED = "paused-low-gold-accuracy"
TRAINING_REQUIRED = "training-required"
NO_PROJECT = "no-such-project"
WALLED = "conflict-wall"  # all eligible work is behind a conflict wall (services/walls.py)


@dataclass(frozen=True)
class EligibleProject:
    project_id: int
    org_id: int
    org_weight: float
    type: str
    settings: ProjectSettings
    qualifying: bool  # must pass training tasks before real work


@dataclass(frozen=True)
class _ProjectInfo:
    id: int
    org_id: int
    name: str
    type: str
    weight: float
    settings: ProjectSettings


class _Catalog:
    """All active projects with parsed settings, plus which ones have Studio assignments.

    `next` is the hot path and projects change rarely, so they are re-read only when a one-row
    fingerprint query (counts and sums that any project, weight or assignment change moves)
    differs from the last one; every process sees every change at once. What concerns the person
    (team, assignments, pauses) is always read fresh."""

    def __init__(self) -> None:
        self._fingerprint: tuple[object, ...] | None = None
        self._projects: list[_ProjectInfo] = []
        self._restricted: set[int] = set()
        self._lock = threading.Lock()

    @staticmethod
    def _current(session: Session) -> tuple[object, ...]:
        parts = [
            select(func.count()).select_from(Project),
            select(func.max(Project.id)),
            select(func.sum(Project.version)),
            select(func.sum(case((Project.archived.is_(True), 1), else_=0))),
            select(func.sum(Org.fair_share_weight)),
            select(func.count()).select_from(StudioAssignment),
            select(func.sum(StudioAssignment.project_id + StudioAssignment.user_id)),
        ]
        counts = tuple(session.execute(select(*(p.scalar_subquery() for p in parts))).one())
        # The database is part of the key: one process may serve two (the in-process tests).
        return (str(session.get_bind().engine.url), *counts)

    def get(self, session: Session) -> tuple[list[_ProjectInfo], set[int]]:
        fingerprint = self._current(session)
        with self._lock:
            if fingerprint == self._fingerprint:
                return self._projects, self._restricted
        rows = session.execute(
            select(
                Project.id,
                Project.org_id,
                Project.name,
                Project.type,
                Project.params,
                Org.fair_share_weight,
            )
            .join(Org, Org.id == Project.org_id)
            .where(Project.archived.is_(False))
        ).all()
        projects = [
            _ProjectInfo(
                r.id,
                r.org_id,
                r.name,
                r.type,
                r.fair_share_weight or 1.0,
                project_settings(r.params),
            )
            for r in rows
        ]
        restricted = set(session.scalars(select(StudioAssignment.project_id).distinct()))
        with self._lock:
            self._fingerprint, self._projects, self._restricted = fingerprint, projects, restricted
        return projects, restricted


CATALOG = _Catalog()


def eligible_projects(
    session: Session, person: Person, project_name: str | None, stage: str
) -> list[EligibleProject]:
    roles = REVIEW_ROLES if stage == "review" else LABEL_ROLES
    if person.role not in roles:
        raise Forbidden(f"a {person.role} cannot take {stage} work", "stage")
    projects, restricted = CATALOG.get(session)
    rows = [p for p in projects if not project_name or p.name == project_name]
    if not rows:
        return []
    teams = _teams(session, person)
    assigned = set(
        session.scalars(
            select(StudioAssignment.project_id).where(StudioAssignment.user_id == person.user_id)
        )
    )
    stats = {
        s.project_id: s
        for s in session.scalars(
            select(WorkerProjectStats).where(WorkerProjectStats.user_id == person.user_id)
        )
    }
    out = []
    for project in rows:
        settings = project.settings
        if stage == "review" and not settings.review:
            continue
        if not _in_pool(person, project, settings, teams, assigned, restricted):
            continue
        mine = stats.get(project.id)
        if mine is not None and mine.paused:
            continue
        qualifying = settings.require_training and not (mine and mine.training_passed)
        if stage == "review" and qualifying:
            continue
        out.append(
            EligibleProject(
                project.id, project.org_id, project.weight, project.type, settings, qualifying
            )
        )
    return out


def _teams(session: Session, person: Person) -> dict[int, str]:
    teams = dict(
        session.execute(
            select(TeamMember.org_id, TeamMember.team_role).where(
                TeamMember.user_id == person.user_id,
                TeamMember.status == "active",  # a pending invite gives no team work
            )
        ).all()
    )
    # A person made for an org (`labelworks user create --org`) works on that org's team pool.
    if person.org_id is not None:
        teams.setdefault(person.org_id, "labeler")
    return teams


def why_no_work(session: Session, person: Person, project_name: str | None, stage: str) -> str:
    """The reason `next` found nothing, for the worker: the first obstacle that applies."""
    projects, restricted = CATALOG.get(session)
    rows = [p for p in projects if not project_name or p.name == project_name]
    if project_name and not rows:
        return NO_PROJECT
    if stage == "review":
        rows = [p for p in rows if p.settings.review]
    teams = _teams(session, person)
    assigned = set(
        session.scalars(
            select(StudioAssignment.project_id).where(StudioAssignment.user_id == person.user_id)
        )
    )
    reachable = [p for p in rows if _in_pool(person, p, p.settings, teams, assigned, restricted)]
    if rows and not reachable:
        return NOT_ON_TEAM
    stats = {
        s.project_id: s
        for s in session.scalars(
            select(WorkerProjectStats).where(WorkerProjectStats.user_id == person.user_id)
        )
    }
    if reachable and all(stats.get(p.id) and stats[p.id].paused for p in reachable):
        return PAUSED
    if (
        stage == "review"
        and reachable
        and all(
            p.settings.require_training and not (stats.get(p.id) and stats[p.id].training_passed)
            for p in reachable
        )
    ):
        return TRAINING_REQUIRED
    return NO_ELIGIBLE_WORK


def eligible_labellers(session: Session, task: Task, settings: ProjectSettings) -> int:
    """How many people could take a label slot of this task now; 0 means it is stalled (e.g.
    after a reject, when its earlier labellers are the only eligible people)."""
    done = select(Assignment.user_id).where(
        Assignment.task_seq == task.seq, Assignment.stage == "label"
    )
    if settings.allow_relabel_by_same_worker:
        done = done.where(Assignment.round == task.round)
    pools = []
    if "team" in settings.pools:
        team = or_(
            User.org_id == task.org_id,
            User.id.in_(select(TeamMember.user_id).where(TeamMember.org_id == task.org_id)),
        )
        if session.scalar(
            select(StudioAssignment.project_id)
            .where(StudioAssignment.project_id == task.project_id)
            .limit(1)
        ):
            team = and_(
                team,
                User.id.in_(
                    select(StudioAssignment.user_id).where(
                        StudioAssignment.project_id == task.project_id
                    )
                ),
            )
        pools.append(team)
    if "platform" in settings.pools:
        pools.append(and_(User.org_id.is_(None), ~exists().where(TeamMember.user_id == User.id)))
    stmt = (
        select(func.count())
        .select_from(User)
        .where(
            User.role.in_(LABEL_ROLES),
            or_(*pools),
            User.id.not_in(done),
            User.id.not_in(
                select(WorkerProjectStats.user_id).where(
                    WorkerProjectStats.project_id == task.project_id,
                    WorkerProjectStats.paused.is_(True),
                )
            ),
        )
    )
    if task.batch_id is not None:
        groups = select(BatchGroup.group_id).where(BatchGroup.batch_id == task.batch_id)
        if session.scalar(groups.limit(1)) is not None:
            stmt = stmt.where(
                User.id.in_(
                    select(ProjectGroupMember.user_id).where(
                        ProjectGroupMember.group_id.in_(groups)
                    )
                )
            )
    return session.scalar(stmt) or 0


def _in_pool(
    person: Person,
    project: _ProjectInfo,
    settings: ProjectSettings,
    teams: dict[int, str],
    assigned: set[int],
    restricted: set[int],
) -> bool:
    if "team" in settings.pools and project.org_id in teams:
        # Once a project has Studio assignments, only the assigned teammates work on it.
        return project.id not in restricted or project.id in assigned
    # The platform pool is the platform's own workforce: people not bound to a customer org.
    return "platform" in settings.pools and person.org_id is None and not teams
