"""/v1/projects."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from labelworks.api.deps import DbDep, JsonBody, PrincipalDep, object_body
from labelworks.api.serialize import project_json
from labelworks.services import projects

router = APIRouter(tags=["projects"])
Json = dict[str, Any]


@router.post("/projects")
def create_project(body: JsonBody, principal: PrincipalDep, db: DbDep) -> Json:
    with db.write() as session:
        project = projects.create_project(session, principal, object_body(body))
        return project_json(project, projects.param_history(session, project))


@router.get("/projects")
def list_projects(principal: PrincipalDep, db: DbDep) -> list[Json]:
    with db.read() as session:
        return [
            project_json(p, projects.param_history(session, p))
            for p in projects.list_projects(session, principal)
        ]


@router.get("/projects/{name}")
def get_project(name: str, principal: PrincipalDep, db: DbDep) -> Json:
    with db.read() as session:
        project = projects.get_project(session, principal, name)
        return project_json(project, projects.param_history(session, project))


@router.get("/projects/{name}/taskTemplates")
def get_task_template(name: str, principal: PrincipalDep, db: DbDep) -> Json:
    with db.read() as session:
        return projects.task_template(session, principal, name)


@router.post("/projects/{name}/setParams")
def set_params(name: str, body: JsonBody, principal: PrincipalDep, db: DbDep) -> Json:
    with db.write() as session:
        project = projects.set_params(session, principal, name, object_body(body))
        return project_json(project, projects.param_history(session, project))
