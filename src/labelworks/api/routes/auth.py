"""/auth/login: email + password -> bearer token."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter

from labelworks.api.body import body_of
from labelworks.api.deps import DbDep, object_body
from labelworks.api.policies.base import PUBLIC, authorize_worker
from labelworks.api.policies.work import AccountPolicy
from labelworks.api.schemas.auth import AccountOut, LoginBody, TokenOut
from labelworks.services import auth
from labelworks.services.auth import Person

router = APIRouter(tags=["auth"])


@router.post(
    "/auth/login",
    summary="Log in",
    dependencies=[PUBLIC],
    response_model=None,
    responses={200: {"model": TokenOut}},
)
def login(body: Annotated[Any, body_of(LoginBody)], db: DbDep) -> dict[str, str]:
    """Email and password give a token for `Authorization: Bearer <token>` (valid 7 days)."""
    body = object_body(body)
    return {"token": auth.login(db, body.get("email"), body.get("password"))}


@router.get(
    "/auth/me", summary="Who am I", response_model=None, responses={200: {"model": AccountOut}}
)
def me(person: Annotated[Person, authorize_worker(AccountPolicy.me)]) -> dict[str, object]:
    return {"email": person.email, "role": person.role}
