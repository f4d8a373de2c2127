"""Which projects a person may work on right now, and in which mode.

The one place that decides a worker's reach: platform pool vs. an org's own team (with Studio
assignments), role per stage, pauses after poor gold accuracy, and qualification by training.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from labelworks.db.tables import Org, Project, StudioAssignment, TeamMember, WorkerProjectStats
from labelworks.errors import Forbidden
from labelworks.services.auth import Person
from labelworks.services.project_settings import ProjectSettings, project_settings

LABEL_ROLES = ("annotator", "reviewer", "admin")
REVIEW_ROLES = ("reviewer", "admin")


@dataclass(frozen=True)
class EligibleProject:
    project_id: int
    org_id: int
    org_weight: float
    type: str
    settings: ProjectSettings
    qualifying: bool  # must pass training tasks before real work


def eligible_projects(session: Session, person: Person, project_name: str | None,
                      stage: str) -> list[EligibleProject]:
    roles = REVIEW_ROLES if stage == "review" else LABEL_ROLES
    if person.role not in roles:
        raise Forbidden(f"a {person.role} cannot take {stage} work", "stage")
    stmt = (select(Project, Org.fair_share_weight).join(Org, Org.id == Project.org_id)
            .where(Project.archived.is_(False)))
    if project_name:
        stmt = stmt.where(Project.name == project_name)
    rows = session.execute(stmt).all()
    if not rows:
        return []
    teams = dict(session.execute(
        select(TeamMember.org_id, TeamMember.team_role).where(TeamMember.user_id == person.user_id)
    ).all())
    assigned = set(session.scalars(
        select(StudioAssignment.project_id).where(StudioAssignment.user_id == person.user_id)))
    restricted = set(session.scalars(select(StudioAssignment.project_id).distinct()))
    stats = {s.project_id: s for s in session.scalars(
        select(WorkerProjectStats).where(WorkerProjectStats.user_id == person.user_id))}
    out = []
    for project, weight in rows:
        settings = project_settings(project.params)
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
        out.append(EligibleProject(project.id, project.org_id, weight or 1.0, project.type,
                                   settings, qualifying))
    return out


def _in_pool(person: Person, project: Project, settings: ProjectSettings,
             teams: dict[int, str], assigned: set[int], restricted: set[int]) -> bool:
    if "team" in settings.pools and project.org_id in teams:
        # Once a project has Studio assignments, only the assigned teammates work on it.
        return project.id not in restricted or project.id in assigned
    # The platform pool is the platform's own workforce: people not bound to a customer org.
    return "platform" in settings.pools and person.org_id is None and not teams
