"""Projects: a type, default params with a version history, Labelworks settings.

A task created without a project (Scale allows it) goes to its org's default project of the
task's type: created on first use, named `_default_<type>`, left out of the project list, and
shown as no project on its tasks. Its params (`labelworks project set _default_<type> …`, or
`setParams` through the API) configure every projectless task of that type.
"""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy import case, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from labelworks.db.tables import Project, ProjectParamVersion
from labelworks.errors import Conflict, Forbidden, InvalidRequest
from labelworks.services import trail
from labelworks.services.names import check_name
from labelworks.services.project_settings import project_settings, validate_project_params
from labelworks.services.scope import Principal, found, owned
from labelworks.tasktypes import SUPPORTED_TYPES, get_task_type

MAX_RATE = 1_000_000.0


def set_rates(
    session: Session,
    project: Project,
    rate_per_label: float | None = None,
    rate_per_review: float | None = None,
) -> Project:
    """The operator's pay rates (never the customer's to set): non-negative, finite."""
    rates = {"rate_per_label": rate_per_label, "rate_per_review": rate_per_review}
    for field, rate in rates.items():
        if rate is not None and (not math.isfinite(rate) or rate < 0 or rate > MAX_RATE):
            raise InvalidRequest(f"must be a number from 0 to {MAX_RATE:g}", field)
    for field, rate in rates.items():
        if rate is not None:
            setattr(project, field, rate)
    session.flush()
    return project


def get_project(
    session: Session, principal: Principal, name: str, action: str | None = None
) -> Project:
    """The project, scoped; with `action` (e.g. `project.get`) the access goes on the trail."""
    stmt = owned(select(Project), Project, principal).where(Project.name == name)
    project = found(session.scalar(stmt), "project", name)
    if action is not None:
        trail.record(session, principal, action, [project.name])
    return project


DEFAULT_PREFIX = "_default_"


def default_project_name(task_type: str) -> str:
    return DEFAULT_PREFIX + task_type


# The project name a task shows, in SQL: NULL for a default project (no `project` key).
SHOWN_NAME = case((Project.is_default, None), else_=Project.name)


def default_project(session: Session, principal: Principal, task_type: str) -> Project:
    """The org's project for `task_type` tasks created without one; made on first use."""
    if principal.projects is not None:
        raise Forbidden(
            "this API key is limited to named projects: name one in `project`", "project"
        )
    name = default_project_name(task_type)
    stmt = owned(select(Project), Project, principal).where(Project.name == name)
    project = session.scalar(stmt)
    if project is not None:
        return project
    try:
        # A savepoint: a concurrent first use (PostgreSQL) must not abort this transaction.
        with session.begin_nested():
            project = Project(
                org_id=principal.org_id,
                name=name,
                type=task_type,
                params={},
                version=0,
                is_default=True,
            )
            session.add(project)
            session.flush()
    except IntegrityError:
        return found(session.scalar(stmt), "project", name)
    _record_version(session, project)
    return project


def list_projects(session: Session, principal: Principal) -> list[Project]:
    stmt = owned(select(Project), Project, principal).where(Project.is_default.is_(False))
    found_projects = list(session.scalars(stmt.order_by(Project.id)))
    trail.record(session, principal, "project.list", [p.name for p in found_projects])
    return found_projects


def create_project(session: Session, principal: Principal, body: dict[str, Any]) -> Project:
    name = check_name(body.get("name"), "name")
    if name.startswith(DEFAULT_PREFIX):
        raise InvalidRequest(
            f"names starting with {DEFAULT_PREFIX!r} are reserved for default projects", "name"
        )
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
    trail.record(session, principal, "project.create", [project.name])
    return project


def set_params(session: Session, principal: Principal, name: str, body: dict[str, Any]) -> Project:
    """New param version: the given keys replace the old ones; the history keeps every version.

    A default project (`_default_<type>`) may be configured before its first task: it is made
    here on first use as well."""
    task_type = name.removeprefix(DEFAULT_PREFIX)
    if name.startswith(DEFAULT_PREFIX) and task_type in SUPPORTED_TYPES:
        project = default_project(session, principal, task_type)
    else:
        project = get_project(session, principal, name, "project.template")
    trail.record(session, principal, "project.update", [project.name])
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


# Scale serves task templates for these types only (the client: "TextCollection and Chat").
TEMPLATE_TYPES = ("textcollection",)


def task_template(session: Session, principal: Principal, name: str) -> dict[str, Any]:
    """`GET /v1/projects/{name}/taskTemplates`: the project's task template as Scale shapes it.

    Labelworks has no template editor: a project's template is its task defaults (the
    `template_variables` each task starts from) and the response its fields call for."""
    project = get_project(session, principal, name)
    if project.type not in TEMPLATE_TYPES:
        raise InvalidRequest(
            f"{project.type} projects have no task templates; only "
            f"{', '.join(TEMPLATE_TYPES)} projects do",
            "project",
        )
    from labelworks.db.types import iso
    from labelworks.services.project_settings import split_params

    _, defaults = split_params(project.params)
    history = param_history(session, project)
    return {
        "id": f"tt_{project.id:020d}",
        "version": project.version,
        "created_at": iso(project.created_at),
        "updated_at": iso(history[-1].created_at if history else project.created_at),
        "template_variables": defaults,
        "response_schema": _response_schema(defaults.get("fields", [])),
        "auto_onboard_enabled": False,
    }


def _response_schema(fields: list[dict[str, Any]]) -> dict[str, Any]:
    """JSON Schema of `{"fields": {field_id: value}}` for the project's default fields."""
    kinds = {"text": {"type": "string"}, "number": {"type": "number"}}
    props: dict[str, Any] = {}
    for f in fields:
        if f["type"] == "category":
            one = {"enum": [c["value"] if isinstance(c, dict) else c for c in f["choices"]]}
            props[f["field_id"]] = (
                {"type": "array", "items": one} if f.get("allow_multiple") else one
            )
        else:
            props[f["field_id"]] = kinds.get(f["type"], {})
    required = [f["field_id"] for f in fields if f.get("required", True)]
    return {
        "type": "object",
        "properties": {"fields": {"type": "object", "properties": props, "required": required}},
        "required": ["fields"],
    }
