"""GET /v1/access-log: who touched the org's content (the access trail), newest first."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from labelworks.api.deps import DbDep
from labelworks.api.params import parse_time
from labelworks.api.policies.base import authorize
from labelworks.api.policies.org import OrgPolicy
from labelworks.api.schemas.access_log import AccessLogOut, ActorKind
from labelworks.services import trail_listing
from labelworks.services.instance import instance_secret
from labelworks.services.scope import Principal

router = APIRouter(tags=["access log"])


@router.get(
    "/access-log",
    summary="The org's access trail, newest first",
    response_model=None,
    responses={200: {"model": AccessLogOut}},
)
def access_log(
    principal: Annotated[Principal, authorize(OrgPolicy.read_access_log)],
    db: DbDep,
    actor_kind: ActorKind | None = None,
    action: Annotated[str | None, Query(max_length=40)] = None,
    object_id: Annotated[str | None, Query(max_length=400)] = None,
    since: str | None = None,
    until: str | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 100,
    next_token: str | None = None,
) -> dict[str, Any]:
    """Each record names who (API key id, user, annotator, reviewer, operator, export,
    callback, system), what (action and object ids), when and why, with its hash-chain link;
    check the whole chain with `labelworks trail verify`. Pass back `next_token` while
    `has_more` is true."""
    filters = trail_listing.TrailFilters(
        actor_kind=actor_kind,
        action=action,
        object_id=object_id,
        since=parse_time(since, "since"),
        until=parse_time(until, "until"),
    )
    secret = instance_secret(db, "list-token")
    with db.read() as session:
        page = trail_listing.list_records(
            session, principal, filters, limit=limit, next_token=next_token or None, secret=secret
        )
        docs = [trail_listing.record_json(r) for r in page.records]
    return {"docs": docs, "limit": limit, "has_more": page.has_more, "next_token": page.next_token}
