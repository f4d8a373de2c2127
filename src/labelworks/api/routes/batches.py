"""/v1/batches."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from labelworks.api.body import body_of
from labelworks.api.deps import DbDep, object_body
from labelworks.api.params import parse_time
from labelworks.api.policies.base import authorize
from labelworks.api.policies.batches import BatchPolicy
from labelworks.api.schemas.batches import (
    BatchCreate,
    BatchList,
    BatchOut,
    BatchStatus,
    BatchStatusOut,
)
from labelworks.api.schemas.common import INT64_MAX
from labelworks.api.serialize import batch_json
from labelworks.services import batches
from labelworks.services.scope import Principal

router = APIRouter(tags=["batches"])
Json = dict[str, Any]
BATCH_DOC: Any = {"response_model": None, "responses": {200: {"model": BatchOut}}}


def _with_project(session: Any, batch: Any) -> Json:
    return batch_json(batch, batches.project_name(session, batch))


@router.post("/batches", summary="Create a batch", **BATCH_DOC)
def create_batch(
    body: Annotated[Any, body_of(BatchCreate, validate=False)],
    principal: Annotated[Principal, authorize(BatchPolicy.create)],
    db: DbDep,
) -> Json:
    with db.write() as session:
        batch = batches.create_batch(session, principal, object_body(body))
        return _with_project(session, batch)


@router.get(
    "/batches",
    summary="List batches, newest first",
    response_model=None,
    responses={200: {"model": BatchList}},
)
def list_batches(
    principal: Annotated[Principal, authorize(BatchPolicy.read)],
    db: DbDep,
    project: str | None = None,
    status: BatchStatus | None = None,
    start_time: str | None = None,
    end_time: str | None = None,
    exclude_archived: bool = False,
    limit: Annotated[int, Query(ge=1, le=100)] = 100,
    offset: Annotated[int, Query(ge=0, le=INT64_MAX)] = 0,
) -> Json:
    with db.read() as session:
        rows, total = batches.list_batches(
            session,
            principal,
            project=project,
            status=status,
            start_time=parse_time(start_time, "start_time"),
            end_time=parse_time(end_time, "end_time"),
            exclude_archived=exclude_archived,
            limit=limit,
            offset=offset,
        )
    return {
        "docs": [batch_json(b, p) for b, p in rows],
        "totalDocs": total,
        "limit": limit,
        "offset": offset,
        "has_more": offset + len(rows) < total,
    }


@router.get("/batches/{name}", summary="Get a batch", **BATCH_DOC)
def get_batch(
    name: str, principal: Annotated[Principal, authorize(BatchPolicy.read)], db: DbDep
) -> Json:
    with db.read() as session:
        return _with_project(session, batches.get_batch(session, principal, name, "batch.get"))


@router.post("/batches/{name}/finalize", summary="Finalize a batch", **BATCH_DOC)
def finalize_batch(
    name: str, principal: Annotated[Principal, authorize(BatchPolicy.finalize)], db: DbDep
) -> Json:
    with db.write() as session:
        return _with_project(session, batches.finalize_batch(session, principal, name))


@router.get(
    "/batches/{name}/status",
    summary="Task counts of a batch by status",
    response_model=None,
    responses={200: {"model": BatchStatusOut}},
)
def batch_status(
    name: str, principal: Annotated[Principal, authorize(BatchPolicy.read)], db: DbDep
) -> Json:
    with db.read() as session:
        return batches.batch_status(session, principal, name)


@router.post("/batches/{name}/setMetadata", summary="Replace a batch's metadata", **BATCH_DOC)
def set_batch_metadata(
    name: str,
    body: Annotated[Any, body_of(dict[str, Any], validate=False)],
    principal: Annotated[Principal, authorize(BatchPolicy.update)],
    db: DbDep,
) -> Json:
    with db.write() as session:
        return _with_project(session, batches.set_batch_metadata(session, principal, name, body))
