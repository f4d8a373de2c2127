"""/auth/invite/accept: a one-time invite token + a new password -> the person can log in."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter

from labelworks.api.body import body_of
from labelworks.api.deps import DbDep, object_body
from labelworks.api.policies.base import PUBLIC
from labelworks.api.schemas.auth import AccountOut, InviteAccept
from labelworks.services import invites

router = APIRouter(tags=["auth"])


@router.post(
    "/auth/invite/accept",
    summary="Accept an invite",
    dependencies=[PUBLIC],
    response_model=None,
    responses={200: {"model": AccountOut}},
)
def accept_invite(body: Annotated[Any, body_of(InviteAccept)], db: DbDep) -> dict[str, str]:
    """The token from the invite link and a new password; then log in at `/auth/login`."""
    body = object_body(body)
    accepted = invites.accept_invite(db, body.get("token"), body.get("password"))
    return {"email": accepted.email, "role": accepted.role}
