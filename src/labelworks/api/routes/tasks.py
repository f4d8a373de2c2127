"""/v1/task/... and /v1/tasks."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from labelworks.api.body import body_of
from labelworks.api.deps import DbDep
from labelworks.api.params import parse_time
from labelworks.api.policies.base import authorize
from labelworks.api.policies.tasks import TaskPolicy
from labelworks.api.responses import fast_json
from labelworks.api.schemas.tasks import (
    AuditBody,
    ReviewStatus,
    TaskCreate,
    TaskList,
    TaskOut,
    TaskStatus,
    UniqueIdBody,
)
from labelworks.api.serialize import limited_task_json, task_json
from labelworks.services import task_listing, tasks
from labelworks.services.instance import instance_secret
from labelworks.services.scope import Principal

router = APIRouter(tags=["tasks"])
Json = dict[str, Any]
TASK_DOC: Any = {"response_model": None, "responses": {200: {"model": TaskOut}}}


@router.post("/task/{task_type}", summary="Create a task", **TASK_DOC)
def create_task(
    task_type: str,
    body: Annotated[Any, body_of(TaskCreate, validate=False)],
    principal: Annotated[Principal, authorize(TaskPolicy.create)],
    db: DbDep,
) -> Response:
    """The body holds the common fields and the type's own parameters; a `unique_id` makes the
    call idempotent (a second create with it is a 409)."""
    with db.write() as session:
        created, warnings = tasks.create_task_with_warnings(session, principal, task_type, body)
    out = task_json(*created)
    if warnings:  # unknown params Scale would ignore silently: named so a typo shows
        out["warnings"] = warnings
    return fast_json(out)


@router.get("/task/{task_id}", summary="Get a task", **TASK_DOC)
def get_task(
    task_id: str, principal: Annotated[Principal, authorize(TaskPolicy.read)], db: DbDep
) -> Response:
    with db.read() as session:
        return fast_json(task_json(*tasks.get_task(session, principal, task_id)))


@router.post("/task/{task_id}/cancel", summary="Cancel a pending task", **TASK_DOC)
def cancel_task(
    task_id: str,
    principal: Annotated[Principal, authorize(TaskPolicy.cancel)],
    db: DbDep,
    clear_unique_id: bool = False,
) -> Json:
    with db.write() as session:
        return task_json(*tasks.cancel_task(session, principal, task_id, clear_unique_id))


@router.post("/task/{task_id}/audit", summary="Accept or reject a completed task", **TASK_DOC)
def audit_task(
    task_id: str,
    body: Annotated[Any, body_of(AuditBody, validate=False)],
    principal: Annotated[Principal, authorize(TaskPolicy.audit)],
    db: DbDep,
) -> Json:
    with db.write() as session:
        return task_json(*tasks.audit_task(session, principal, task_id, body))


@router.post("/task/{task_id}/unique_id", summary="Set a task's unique_id", **TASK_DOC)
def set_unique_id(
    task_id: str,
    body: Annotated[Any, body_of(UniqueIdBody, validate=False)],
    principal: Annotated[Principal, authorize(TaskPolicy.update)],
    db: DbDep,
) -> Json:
    value = body.get("unique_id") if isinstance(body, dict) else None
    with db.write() as session:
        return task_json(*tasks.set_unique_id(session, principal, task_id, value))


@router.delete("/task/{task_id}/unique_id", summary="Clear a task's unique_id", **TASK_DOC)
def clear_unique_id(
    task_id: str, principal: Annotated[Principal, authorize(TaskPolicy.update)], db: DbDep
) -> Json:
    with db.write() as session:
        return task_json(*tasks.clear_unique_id(session, principal, task_id))


@router.post("/task/{task_id}/setMetadata", summary="Replace a task's metadata", **TASK_DOC)
def set_metadata(
    task_id: str,
    body: Annotated[Any, body_of(dict[str, Any], validate=False)],
    principal: Annotated[Principal, authorize(TaskPolicy.update)],
    db: DbDep,
) -> Json:
    with db.write() as session:
        return task_json(*tasks.set_metadata(session, principal, task_id, body))


TagsBody = Annotated[Any, body_of(list[str], validate=False)]


@router.post("/task/{task_id}/tags", summary="Replace a task's tags", **TASK_DOC)
def set_tags(
    task_id: str,
    body: TagsBody,
    principal: Annotated[Principal, authorize(TaskPolicy.update)],
    db: DbDep,
) -> Json:
    with db.write() as session:
        return task_json(*tasks.change_tags(session, principal, task_id, body, "set"))


@router.put("/task/{task_id}/tags", summary="Add tags to a task", **TASK_DOC)
def add_tags(
    task_id: str,
    body: TagsBody,
    principal: Annotated[Principal, authorize(TaskPolicy.update)],
    db: DbDep,
) -> Json:
    with db.write() as session:
        return task_json(*tasks.change_tags(session, principal, task_id, body, "add"))


@router.delete("/task/{task_id}/tags", summary="Remove tags from a task", **TASK_DOC)
def delete_tags(
    task_id: str,
    body: TagsBody,
    principal: Annotated[Principal, authorize(TaskPolicy.update)],
    db: DbDep,
) -> Json:
    with db.write() as session:
        return task_json(*tasks.change_tags(session, principal, task_id, body, "delete"))


@router.get(
    "/tasks",
    summary="List tasks, newest first",
    response_model=None,
    responses={200: {"model": TaskList}},
)
def list_tasks(
    principal: Annotated[Principal, authorize(TaskPolicy.read)],
    db: DbDep,
    start_time: str | None = None,
    end_time: str | None = None,
    status: TaskStatus | None = None,
    type: str | None = None,
    project: str | None = None,
    batch: str | None = None,
    customer_review_status: Annotated[
        str | None,
        Query(
            description="comma-separated: " + ",".join(ReviewStatus.__args__),
        ),
    ] = None,
    unique_id: Annotated[list[str] | None, Query()] = None,
    tags: Annotated[list[str] | None, Query()] = None,
    completed_after: str | None = None,
    completed_before: str | None = None,
    updated_after: str | None = None,
    updated_before: str | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 100,
    next_token: str | None = None,
    include_attachment_url: bool = False,
    limited_response: bool = False,
) -> Response:
    """Keyset paging: pass back `next_token` while `has_more` is true."""
    filters = task_listing.TaskFilters(
        start_time=parse_time(start_time, "start_time"),
        end_time=parse_time(end_time, "end_time"),
        status=status,
        type=type,
        project=project,
        batch=batch,
        customer_review_status=[s for s in (customer_review_status or "").split(",") if s],
        unique_id=unique_id or [],
        tags=tags or [],
        completed_after=parse_time(completed_after, "completed_after"),
        completed_before=parse_time(completed_before, "completed_before"),
        updated_after=parse_time(updated_after, "updated_after"),
        updated_before=parse_time(updated_before, "updated_before"),
    )
    secret = instance_secret(db, "list-token")
    with db.read() as session:
        page = task_listing.list_tasks(
            session,
            principal,
            filters,
            limit=limit,
            next_token=next_token or None,
            secret=secret,
        )
    docs = [
        limited_task_json(v.task, v.project) if limited_response else task_json(*v)
        for v in page.views
    ]
    return fast_json(
        {
            "docs": docs,
            "total": page.total,
            "limit": page.limit,
            "offset": 0,
            "has_more": page.has_more,
            "next_token": page.next_token,
        }
    )
