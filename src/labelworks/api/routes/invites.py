"""/auth/invite/accept: a one-time invite token + a new password -> the person can log in."""

from __future__ import annotations

from fastapi import APIRouter

from labelworks.api.deps import DbDep, JsonBody, object_body
from labelworks.services import invites

router = APIRouter(tags=["auth"])


@router.post("/auth/invite/accept")
def accept_invite(body: JsonBody, db: DbDep) -> dict[str, str]:
    body = object_body(body)
    token = invites.check_token(body.get("token"))
    password_hash = invites.new_password_hash(body.get("password"))
    with db.write() as session:
        user = invites.accept_invite(session, token, password_hash)
        return {"email": user.email, "role": user.role}
