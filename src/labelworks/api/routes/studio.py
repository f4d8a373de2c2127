"""/v1/teams and /v1/studio/...: the customer's own workforce, through the scaleapi client."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter

from labelworks.api.body import body_of
from labelworks.api.deps import DbDep, object_body
from labelworks.api.policies.base import authorize
from labelworks.api.policies.studio import StudioPolicy
from labelworks.api.policies.teams import TeamPolicy
from labelworks.api.schemas.common import Model
from labelworks.api.schemas.studio import (
    AssignmentsBody,
    BatchGroupsBody,
    GroupCreate,
    GroupUpdate,
    PrioritiesBody,
)
from labelworks.api.schemas.teams import InviteBody, SetRoleBody, TeammateOut
from labelworks.services import studio, studio_batches, teams
from labelworks.services.scope import Principal

router = APIRouter(tags=["studio"])
Json = dict[str, Any]
Read = Annotated[Principal, authorize(StudioPolicy.read)]
Change = Annotated[Principal, authorize(StudioPolicy.update)]
ASSIGNMENTS: Any = {"response_model": None, "responses": {200: {"model": dict[str, list[str]]}}}
OBJECT: Any = {"response_model": None, "responses": {200: {"model": Model}}}
OBJECTS: Any = {"response_model": None, "responses": {200: {"model": list[Model]}}}


# --- teams -------------------------------------------------------------------------------------

TEAM: Any = {"response_model": None, "responses": {200: {"model": list[TeammateOut]}}}


@router.get("/teams", summary="List the team", **TEAM)
def list_teammates(
    principal: Annotated[Principal, authorize(TeamPolicy.read)], db: DbDep
) -> list[Json]:
    with db.read() as session:
        return teams.list_teammates(session, principal)


@router.post("/teams/invite", summary="Invite teammates", **TEAM)
def invite_teammates(
    body: Annotated[Any, body_of(InviteBody, validate=False)],
    principal: Annotated[Principal, authorize(TeamPolicy.invite)],
    db: DbDep,
) -> list[Json]:
    with db.write() as session:
        return teams.invite_teammates(session, principal, object_body(body))


@router.post("/teams/set_role", summary="Change teammates' roles", **TEAM)
def set_teammates_role(
    body: Annotated[Any, body_of(SetRoleBody, validate=False)],
    principal: Annotated[Principal, authorize(TeamPolicy.set_role)],
    db: DbDep,
) -> list[Json]:
    with db.write() as session:
        return teams.set_role(session, principal, object_body(body))


# --- assignments -------------------------------------------------------------------------------


@router.get("/studio/assignments", summary="Who is assigned to which project", **ASSIGNMENTS)
def list_assignments(principal: Read, db: DbDep) -> dict[str, list[str]]:
    with db.read() as session:
        return studio.list_assignments(session, principal)


@router.post("/studio/assignments/add", summary="Assign teammates to projects", **ASSIGNMENTS)
def add_assignments(
    body: Annotated[Any, body_of(AssignmentsBody, validate=False)], principal: Change, db: DbDep
) -> dict[str, list[str]]:
    with db.write() as session:
        return studio.add_assignments(session, principal, object_body(body))


@router.post("/studio/assignments/remove", summary="Unassign teammates", **ASSIGNMENTS)
def remove_assignments(
    body: Annotated[Any, body_of(AssignmentsBody, validate=False)], principal: Change, db: DbDep
) -> dict[str, list[str]]:
    with db.write() as session:
        return studio.remove_assignments(session, principal, object_body(body))


# --- project groups ----------------------------------------------------------------------------


@router.get("/studio/projects/{project}/groups", summary="A project's groups", **OBJECTS)
def list_project_groups(project: str, principal: Read, db: DbDep) -> list[Json]:
    with db.read() as session:
        return studio.list_groups(session, principal, project)


@router.post("/studio/projects/{project}/groups", summary="Create a project group", **OBJECT)
def create_project_group(
    project: str,
    body: Annotated[Any, body_of(GroupCreate, validate=False)],
    principal: Change,
    db: DbDep,
) -> Json:
    with db.write() as session:
        return studio.create_group(session, principal, project, object_body(body))


@router.put(
    "/studio/projects/{project}/groups/{group}", summary="Change a group's members", **OBJECT
)
def update_project_group(
    project: str,
    group: str,
    body: Annotated[Any, body_of(GroupUpdate, validate=False)],
    principal: Change,
    db: DbDep,
) -> Json:
    with db.write() as session:
        return studio.update_group(session, principal, project, group, object_body(body))


# --- batches -----------------------------------------------------------------------------------


@router.get("/studio/batches", summary="Studio batches in priority order", **OBJECTS)
def list_studio_batches(principal: Read, db: DbDep) -> list[Json]:
    with db.read() as session:
        return studio_batches.list_batches(session, principal)


@router.post("/studio/batches/set_priorities", summary="Order studio batches", **OBJECTS)
def set_studio_batches_priorities(
    body: Annotated[Any, body_of(PrioritiesBody, validate=False)], principal: Change, db: DbDep
) -> list[Json]:
    with db.write() as session:
        return studio_batches.set_priorities(session, principal, object_body(body))


@router.post("/studio/batches/reset_priorities", summary="Reset batch priorities", **OBJECTS)
def reset_studio_batches_priorities(principal: Change, db: DbDep) -> list[Json]:
    with db.write() as session:
        return studio_batches.reset_priorities(session, principal)


@router.put("/studio/batches/{name}", summary="Which groups work on a batch", **OBJECT)
def assign_studio_batch(
    name: str,
    body: Annotated[Any, body_of(BatchGroupsBody, validate=False)],
    principal: Change,
    db: DbDep,
) -> Json:
    with db.write() as session:
        return studio_batches.assign_groups(session, principal, name, object_body(body))
