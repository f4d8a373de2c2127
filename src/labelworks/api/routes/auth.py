"""/auth/login: email + password -> bearer token."""

from __future__ import annotations

from fastapi import APIRouter

from labelworks.api.deps import DbDep, JsonBody, PersonDep, object_body
from labelworks.services import auth

router = APIRouter(tags=["auth"])


@router.post("/auth/login")
def login(body: JsonBody, db: DbDep) -> dict[str, str]:
    body = object_body(body)
    return {"token": auth.login(db, body.get("email"), body.get("password"))}


@router.get("/auth/me")
def me(person: PersonDep) -> dict[str, object]:
    return {"email": person.email, "role": person.role}
