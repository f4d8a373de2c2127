"""/v1/teams and /v1/studio/...: the customer's own workforce, through the scaleapi client."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from labelworks.api.deps import DbDep, JsonBody, PrincipalDep, object_body
from labelworks.services import studio, studio_batches, teams

router = APIRouter(tags=["studio"])
Json = dict[str, Any]


# --- teams -------------------------------------------------------------------------------------


@router.get("/teams")
def list_teammates(principal: PrincipalDep, db: DbDep) -> list[Json]:
    with db.read() as session:
        return teams.list_teammates(session, principal)


@router.post("/teams/invite")
def invite_teammates(body: JsonBody, principal: PrincipalDep, db: DbDep) -> list[Json]:
    with db.write() as session:
        return teams.invite_teammates(session, principal, object_body(body))


@router.post("/teams/set_role")
def set_teammates_role(body: JsonBody, principal: PrincipalDep, db: DbDep) -> list[Json]:
    with db.write() as session:
        return teams.set_role(session, principal, object_body(body))


# --- assignments -------------------------------------------------------------------------------


@router.get("/studio/assignments")
def list_assignments(principal: PrincipalDep, db: DbDep) -> dict[str, list[str]]:
    with db.read() as session:
        return studio.list_assignments(session, principal)


@router.post("/studio/assignments/add")
def add_assignments(body: JsonBody, principal: PrincipalDep, db: DbDep) -> dict[str, list[str]]:
    with db.write() as session:
        return studio.add_assignments(session, principal, object_body(body))


@router.post("/studio/assignments/remove")
def remove_assignments(body: JsonBody, principal: PrincipalDep, db: DbDep) -> dict[str, list[str]]:
    with db.write() as session:
        return studio.remove_assignments(session, principal, object_body(body))


# --- project groups ----------------------------------------------------------------------------


@router.get("/studio/projects/{project}/groups")
def list_project_groups(project: str, principal: PrincipalDep, db: DbDep) -> list[Json]:
    with db.read() as session:
        return studio.list_groups(session, principal, project)


@router.post("/studio/projects/{project}/groups")
def create_project_group(project: str, body: JsonBody, principal: PrincipalDep, db: DbDep) -> Json:
    with db.write() as session:
        return studio.create_group(session, principal, project, object_body(body))


@router.put("/studio/projects/{project}/groups/{group}")
def update_project_group(
    project: str, group: str, body: JsonBody, principal: PrincipalDep, db: DbDep
) -> Json:
    with db.write() as session:
        return studio.update_group(session, principal, project, group, object_body(body))


# --- batches -----------------------------------------------------------------------------------


@router.get("/studio/batches")
def list_studio_batches(principal: PrincipalDep, db: DbDep) -> list[Json]:
    with db.read() as session:
        return studio_batches.list_batches(session, principal)


@router.post("/studio/batches/set_priorities")
def set_studio_batches_priorities(body: JsonBody, principal: PrincipalDep, db: DbDep) -> list[Json]:
    with db.write() as session:
        return studio_batches.set_priorities(session, principal, object_body(body))


@router.post("/studio/batches/reset_priorities")
def reset_studio_batches_priorities(principal: PrincipalDep, db: DbDep) -> list[Json]:
    with db.write() as session:
        return studio_batches.reset_priorities(session, principal)


@router.put("/studio/batches/{name}")
def assign_studio_batch(name: str, body: JsonBody, principal: PrincipalDep, db: DbDep) -> Json:
    with db.write() as session:
        return studio_batches.assign_groups(session, principal, name, object_body(body))
