"""/v1/batches."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from labelworks.api.deps import DbDep, JsonBody, PrincipalDep, object_body
from labelworks.api.params import parse_time
from labelworks.api.serialize import batch_json
from labelworks.errors import InvalidRequest
from labelworks.services import batches

router = APIRouter(tags=["batches"])
Json = dict[str, Any]


def _with_project(session: Any, batch: Any) -> Json:
    return batch_json(batch, batches.project_name(session, batch))


@router.post("/batches")
def create_batch(body: JsonBody, principal: PrincipalDep, db: DbDep) -> Json:
    with db.write() as session:
        batch = batches.create_batch(session, principal, object_body(body))
        return _with_project(session, batch)


@router.get("/batches")
def list_batches(
    principal: PrincipalDep,
    db: DbDep,
    project: str | None = None,
    status: str | None = None,
    start_time: str | None = None,
    end_time: str | None = None,
    exclude_archived: bool = False,
    limit: int = 100,
    offset: int = 0,
) -> Json:
    if not 1 <= limit <= 100:
        raise InvalidRequest("must be between 1 and 100", "limit")
    if offset < 0:
        raise InvalidRequest("must not be negative", "offset")
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


@router.get("/batches/{name}")
def get_batch(name: str, principal: PrincipalDep, db: DbDep) -> Json:
    with db.read() as session:
        return _with_project(session, batches.get_batch(session, principal, name))


@router.post("/batches/{name}/finalize")
def finalize_batch(name: str, principal: PrincipalDep, db: DbDep) -> Json:
    with db.write() as session:
        return _with_project(session, batches.finalize_batch(session, principal, name))


@router.get("/batches/{name}/status")
def batch_status(name: str, principal: PrincipalDep, db: DbDep) -> Json:
    with db.read() as session:
        return batches.batch_status(session, principal, name)


@router.post("/batches/{name}/setMetadata")
def set_batch_metadata(name: str, body: JsonBody, principal: PrincipalDep, db: DbDep) -> Json:
    with db.write() as session:
        return _with_project(session, batches.set_batch_metadata(session, principal, name, body))
