"""/v1/projects."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter

from labelworks.api.body import body_of
from labelworks.api.deps import DbDep, object_body
from labelworks.api.policies.base import authorize
from labelworks.api.policies.projects import ProjectPolicy
from labelworks.api.schemas.projects import ProjectCreate, ProjectOut, ProjectParams
from labelworks.api.serialize import project_json
from labelworks.services import projects
from labelworks.services.scope import Principal

router = APIRouter(tags=["projects"])
Json = dict[str, Any]
PROJECT_DOC: Any = {"response_model": None, "responses": {200: {"model": ProjectOut}}}


@router.post("/projects", summary="Create a project", **PROJECT_DOC)
def create_project(
    body: Annotated[Any, body_of(ProjectCreate, validate=False)],
    principal: Annotated[Principal, authorize(ProjectPolicy.create)],
    db: DbDep,
) -> Json:
    with db.write() as session:
        project = projects.create_project(session, principal, object_body(body))
        return project_json(project, projects.param_history(session, project))


@router.get(
    "/projects",
    summary="List projects",
    response_model=None,
    responses={200: {"model": list[ProjectOut]}},
)
def list_projects(
    principal: Annotated[Principal, authorize(ProjectPolicy.read)], db: DbDep
) -> list[Json]:
    with db.read() as session:
        return [
            project_json(p, projects.param_history(session, p))
            for p in projects.list_projects(session, principal)
        ]


@router.get("/projects/{name}", summary="Get a project", **PROJECT_DOC)
def get_project(
    name: str, principal: Annotated[Principal, authorize(ProjectPolicy.read)], db: DbDep
) -> Json:
    with db.read() as session:
        project = projects.get_project(session, principal, name, "project.get")
        return project_json(project, projects.param_history(session, project))


@router.get("/projects/{name}/taskTemplates", summary="A project's task template")
def get_task_template(
    name: str,
    principal: Annotated[Principal, authorize(ProjectPolicy.read)],
    db: DbDep,
) -> Json:
    with db.read() as session:
        return projects.task_template(session, principal, name)


@router.post("/projects/{name}/setParams", summary="Set a project's parameters", **PROJECT_DOC)
def set_params(
    name: str,
    body: Annotated[Any, body_of(ProjectParams, validate=False)],
    principal: Annotated[Principal, authorize(ProjectPolicy.update)],
    db: DbDep,
) -> Json:
    with db.write() as session:
        project = projects.set_params(session, principal, name, object_body(body))
        return project_json(project, projects.param_history(session, project))
