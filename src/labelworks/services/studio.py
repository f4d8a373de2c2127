"""Studio: which teammates work on which projects, and named groups of them per project.

Once a project has any Studio assignment, only the assigned teammates get its work
(`services/work/eligibility.py`). Project groups name subsets of teammates; a batch assigned to
groups (`services/studio_batches.py`) is served to their members.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from labelworks.db.tables import (
    Project,
    ProjectGroup,
    ProjectGroupMember,
    StudioAssignment,
    TeamMember,
    User,
)
from labelworks.errors import Conflict, InvalidRequest, NotFound
from labelworks.services.names import check_name
from labelworks.services.projects import get_project
from labelworks.services.scope import Principal, of_org, owned
from labelworks.services.teams import email_list, teammates_by_email

# --- assignments -------------------------------------------------------------------------------


def list_assignments(session: Session, principal: Principal) -> dict[str, list[str]]:
    """{email: [project names]} for every teammate (an empty list when unassigned)."""
    out: dict[str, list[str]] = {
        email: []
        for email in session.scalars(
            select(User.email)
            .join(TeamMember, TeamMember.user_id == User.id)
            .where(of_org(TeamMember, principal))
            .order_by(User.email)
        )
    }
    rows = session.execute(
        select(User.email, Project.name)
        .join(StudioAssignment, StudioAssignment.user_id == User.id)
        .join(Project, Project.id == StudioAssignment.project_id)
        .join(TeamMember, (TeamMember.user_id == User.id) & (TeamMember.org_id == Project.org_id))
        .where(of_org(Project, principal))
        .order_by(User.email, Project.name)
    ).all()
    for email, project in rows:
        out[email].append(project)
    return out


def add_assignments(
    session: Session, principal: Principal, body: dict[str, Any]
) -> dict[str, list[str]]:
    users, projects = _assignment_args(session, principal, body)
    have = {
        (user_id, project_id)
        for user_id, project_id in session.execute(
            select(StudioAssignment.user_id, StudioAssignment.project_id).where(
                StudioAssignment.user_id.in_([u.id for u in users]),
                StudioAssignment.project_id.in_([p.id for p in projects]),
            )
        )
    }
    session.add_all(
        StudioAssignment(user_id=u.id, project_id=p.id)
        for u in users
        for p in projects
        if (u.id, p.id) not in have
    )
    session.flush()
    return list_assignments(session, principal)


def remove_assignments(
    session: Session, principal: Principal, body: dict[str, Any]
) -> dict[str, list[str]]:
    users, projects = _assignment_args(session, principal, body)
    session.execute(
        delete(StudioAssignment).where(
            StudioAssignment.user_id.in_([u.id for u in users]),
            StudioAssignment.project_id.in_([p.id for p in projects]),
        )
    )
    return list_assignments(session, principal)


def _assignment_args(
    session: Session, principal: Principal, body: dict[str, Any]
) -> tuple[list[User], list[Project]]:
    emails = email_list(body.get("emails"))
    names = body.get("projects")
    if not isinstance(names, list) or not names:
        raise InvalidRequest("must be a non-empty list of project names", "projects")
    projects: dict[int, Project] = {}
    for i, name in enumerate(names):
        if not isinstance(name, str):
            raise InvalidRequest("must be a project name", f"projects.{i}")
        try:
            project = get_project(session, principal, name)
        except NotFound:
            raise NotFound(f"no project named {name!r}", f"projects.{i}") from None
        projects[project.id] = project
    users = teammates_by_email(session, principal, emails)
    return list(users.values()), list(projects.values())


# --- project groups ----------------------------------------------------------------------------


def list_groups(session: Session, principal: Principal, project_name: str) -> list[dict[str, Any]]:
    project = get_project(session, principal, project_name)
    groups = session.scalars(
        select(ProjectGroup)
        .where(ProjectGroup.project_id == project.id)
        .order_by(ProjectGroup.name)
    ).all()
    return [group_json(session, g) for g in groups]


def create_group(
    session: Session, principal: Principal, project_name: str, body: dict[str, Any]
) -> dict[str, Any]:
    project = get_project(session, principal, project_name)
    name = check_name(body.get("name"), "name")
    users = teammates_by_email(
        session, principal, email_list(body.get("emails", []), allow_empty=True)
    )
    group = ProjectGroup(project_id=project.id, name=name)
    session.add(group)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(
            f"project {project_name!r} already has a group named {name!r}", "name"
        ) from None
    session.add_all(ProjectGroupMember(group_id=group.id, user_id=u.id) for u in users.values())
    session.flush()
    return group_json(session, group)


def update_group(
    session: Session, principal: Principal, project_name: str, group_name: str, body: dict[str, Any]
) -> dict[str, Any]:
    group = get_group(session, principal, project_name, group_name)
    add = teammates_by_email(
        session,
        principal,
        email_list(body.get("add_emails", []), "add_emails", allow_empty=True),
        "add_emails",
    )
    remove = teammates_by_email(
        session,
        principal,
        email_list(body.get("remove_emails", []), "remove_emails", allow_empty=True),
        "remove_emails",
    )
    if remove:
        session.execute(
            delete(ProjectGroupMember).where(
                ProjectGroupMember.group_id == group.id,
                ProjectGroupMember.user_id.in_([u.id for u in remove.values()]),
            )
        )
    have = set(
        session.scalars(
            select(ProjectGroupMember.user_id).where(ProjectGroupMember.group_id == group.id)
        )
    )
    session.add_all(
        ProjectGroupMember(group_id=group.id, user_id=u.id)
        for u in add.values()
        if u.id not in have
    )
    session.flush()
    return group_json(session, group)


def get_group(
    session: Session, principal: Principal, project_name: str, group_name: str
) -> ProjectGroup:
    project = get_project(session, principal, project_name)
    group = session.scalar(
        select(ProjectGroup).where(
            ProjectGroup.project_id == project.id, ProjectGroup.name == group_name
        )
    )
    if group is None:
        raise NotFound(f"project {project.name!r} has no group named {group_name!r}", "group")
    return group


def groups_of_project(
    session: Session, principal: Principal, project_id: int, names: list[str], field: str = "groups"
) -> list[ProjectGroup]:
    """The named groups of one of the org's projects; an unknown name is a 404 naming it."""
    project = session.scalar(
        owned(select(Project), Project, principal).where(Project.id == project_id)
    )
    assert project is not None
    rows = {
        g.name: g
        for g in session.scalars(
            select(ProjectGroup).where(
                ProjectGroup.project_id == project_id, ProjectGroup.name.in_(names)
            )
        )
    }
    for i, name in enumerate(names):
        if name not in rows:
            raise NotFound(f"project {project.name!r} has no group named {name!r}", f"{field}.{i}")
    return [rows[n] for n in dict.fromkeys(names)]


def group_json(session: Session, group: ProjectGroup) -> dict[str, Any]:
    workers = session.execute(
        select(User.id, User.email)
        .join(ProjectGroupMember, ProjectGroupMember.user_id == User.id)
        .where(ProjectGroupMember.group_id == group.id)
        .order_by(User.email)
    ).all()
    return {
        "id": str(group.id),
        "name": group.name,
        "numWorkers": len(workers),
        # Scale keeps a one-person group per labeler; Labelworks groups are always named ones.
        "isSingleton": False,
        "workers": [{"id": str(uid), "email": email} for uid, email in workers],
    }
