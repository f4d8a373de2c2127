"""/auth/invite/accept: a one-time invite token + a new password -> the person can log in."""

from __future__ import annotations

from fastapi import APIRouter

from labelworks.api.deps import DbDep, JsonBody, object_body
from labelworks.services import invites

router = APIRouter(tags=["auth"])


@router.post("/auth/invite/accept")
def accept_invite(body: JsonBody, db: DbDep) -> dict[str, str]:
    body = object_body(body)
    accepted = invites.accept_invite(db, body.get("token"), body.get("password"))
    return {"email": accepted.email, "role": accepted.role}
