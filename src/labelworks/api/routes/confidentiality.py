"""`/v1/conflicts` (ask for walls against competitors by name) and `/v1/breakglass` (every
operator access to the org's content)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter

from labelworks.api.body import body_of
from labelworks.api.deps import DbDep, object_body
from labelworks.api.policies.base import authorize
from labelworks.api.policies.confidentiality import BreakglassPolicy, WallPolicy
from labelworks.api.schemas.confidentiality import (
    GrantsOut,
    WallRequestBody,
    WallRequestOut,
    WallRequestsOut,
)
from labelworks.services import breakglass, walls
from labelworks.services.scope import Principal

router = APIRouter(tags=["confidentiality"])


@router.post("/conflicts", response_model=WallRequestOut)
def request_walls(
    body: Annotated[Any, body_of(WallRequestBody, validate=False)],
    principal: Annotated[Principal, authorize(WallPolicy.request)],
    db: DbDep,
) -> dict[str, Any]:
    """Ask that nobody who worked for you within `days` works for these competitors (and back).
    The answer is the same whether or not a name is a customer here."""
    body = object_body(body)
    days = body.get("days")
    with db.write() as session:
        return walls.request_walls(
            session,
            principal,
            body.get("competitors"),
            walls.DEFAULT_DAYS if days is None else days,
        )


@router.get("/conflicts", response_model=WallRequestsOut)
def list_requests(
    principal: Annotated[Principal, authorize(WallPolicy.read)], db: DbDep
) -> dict[str, Any]:
    with db.read() as session:
        return {"requests": walls.my_requests(session, principal)}


@router.get("/breakglass", response_model=GrantsOut)
def list_grants(
    principal: Annotated[Principal, authorize(BreakglassPolicy.read)], db: DbDep
) -> dict[str, Any]:
    """Every break-glass grant on the org (operator, reason, window), newest first."""
    with db.read() as session:
        return {"grants": breakglass.grants_of(session, principal)}
