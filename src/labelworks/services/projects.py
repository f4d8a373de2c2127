"""Projects: a type, default params with a version history, Labelworks settings."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from labelworks.db.tables import Project, ProjectParamVersion
from labelworks.errors import Conflict, InvalidRequest
from labelworks.services.names import check_name
from labelworks.services.project_settings import project_settings, validate_project_params
from labelworks.services.scope import Principal, found, owned
from labelworks.tasktypes import get_task_type


def get_project(session: Session, principal: Principal, name: str) -> Project:
    stmt = owned(select(Project), Project, principal).where(Project.name == name)
    return found(session.scalar(stmt), "project", name)


def list_projects(session: Session, principal: Principal) -> list[Project]:
    return list(session.scalars(owned(select(Project), Project, principal).order_by(Project.id)))


def create_project(session: Session, principal: Principal, body: dict[str, Any]) -> Project:
    name = check_name(body.get("name"), "name")
    task_type = body.get("type")
    if not isinstance(task_type, str):
        raise InvalidRequest("is required", "type")
    get_task_type(task_type)
    params = validate_project_params(task_type, body.get("params"))
    project = Project(
        org_id=principal.org_id,
        name=name,
        type=task_type,
        params=params,
        version=0,
        studio=bool(body.get("studio", False)),
    )
    session.add(project)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(f"a project named {name!r} already exists", "name") from None
    _record_version(session, project)
    return project


def set_params(session: Session, principal: Principal, name: str, body: dict[str, Any]) -> Project:
    """New param version: the given keys replace the old ones; the history keeps every version."""
    project = get_project(session, principal, name)
    before = project_settings(project.params).overlap
    merged = {**project.params, **body}
    project.params = validate_project_params(project.type, merged)
    project.version += 1
    _record_version(session, project)
    after = project_settings(project.params).overlap
    if after != before:
        from labelworks.services.work.leases import resize_open_slots

        resize_open_slots(session, project.org_id, project.id, after)
    return project


def _record_version(session: Session, project: Project) -> None:
    session.add(
        ProjectParamVersion(
            project_id=project.id, version=project.version, params=dict(project.params)
        )
    )
    session.flush()


def param_history(session: Session, project: Project) -> list[ProjectParamVersion]:
    stmt = (
        select(ProjectParamVersion)
        .where(ProjectParamVersion.project_id == project.id)
        .order_by(ProjectParamVersion.version)
    )
    return list(session.scalars(stmt))
