"""Dependencies: the database, the JSON body, and who is asking.

Authentication happens here once: on `/v1` an API key (HTTP Basic) or a signed-in customer user
(Bearer token) becomes a `Principal`; on `/work` a Bearer token becomes a `Person`. Routes ask a
policy about it (`api/policies`) and hand it to the services, which scope every query through it.
"""

from __future__ import annotations

import base64
import binascii
import time
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from labelworks.api import safe_json
from labelworks.api.ratelimit import RateLimiter
from labelworks.db.database import Database
from labelworks.db.tables import Org, TeamMember
from labelworks.errors import Forbidden, InvalidRequest, TooManyRequests, Unauthorized
from labelworks.services.auth import Person, person_for_token
from labelworks.services.orgs import principal_for_key
from labelworks.services.scope import Principal


async def get_db(request: Request) -> Database:
    return request.app.state.db


DbDep = Annotated[Database, Depends(get_db)]


def api_key_from(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or not value:
        raise Unauthorized(
            "send your API key with HTTP Basic auth (key as the username), "
            "or a customer user's 'Authorization: Bearer <token>'"
        )
    try:
        decoded = base64.b64decode(value, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise Unauthorized("malformed Basic credentials") from None
    key = decoded.partition(":")[0]
    if not key:
        raise Unauthorized("empty API key")
    return key


class KeyCache:
    """Recently seen API keys -> principal, for one second: saves a database round trip per
    request; a revoked key stops working within that second."""

    TTL = 1.0

    def __init__(self) -> None:
        self._entries: dict[str, tuple[float, Principal]] = {}

    def get(self, key: str) -> Principal | None:
        hit = self._entries.get(key)
        if hit is None or time.monotonic() - hit[0] > self.TTL:
            return None
        return hit[1]

    def put(self, key: str, principal: Principal) -> None:
        if len(self._entries) > 10_000:
            self._entries.clear()
        self._entries[key] = (time.monotonic(), principal)


def _lookup_principal(db: Database, key: str) -> Principal:
    with db.read() as session:
        return principal_for_key(session, key)


def user_principal(db: Database, token: str) -> Principal:
    """A signed-in customer user acts for their org with their team role."""
    with db.read() as session:
        person = person_for_token(session, token)
        if person.role != "customer" or person.org_id is None:
            raise Forbidden("only a customer user of an organisation may use /v1")
        row = session.execute(
            select(Org.name, TeamMember.team_role)
            .join(TeamMember, TeamMember.org_id == Org.id)
            .where(Org.id == person.org_id, TeamMember.user_id == person.user_id)
        ).first()
    if row is None:
        raise Forbidden("you are not on your organisation's team")
    return Principal(
        org_id=person.org_id,
        org_name=row.name,
        kind="user",
        user_id=person.user_id,
        role=person.role,
        team_role=row.team_role,
    )


async def get_principal(request: Request, db: DbDep) -> Principal:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token:
        principal = await run_in_threadpool(user_principal, db, token)
    else:
        key = api_key_from(request)
        cache: KeyCache = request.app.state.key_cache
        cached = cache.get(key)
        if cached is None:
            cached = await run_in_threadpool(_lookup_principal, db, key)
            cache.put(key, cached)
        principal = cached
    limiter: RateLimiter = request.app.state.rate_limiter
    if not limiter.allow(principal.org_id):
        raise TooManyRequests("rate limit exceeded; retry after a short pause")
    credential = ("key", principal.key_id) if principal.kind == "api_key" else principal.user_id
    _limit_credential(request, credential)
    return principal


def _limit_credential(request: Request, credential: object) -> None:
    """Each API key and each signed-in person has a bucket of its own, so one leaked key or
    one scripted login cannot use up the org's whole allowance."""
    limiter: RateLimiter = request.app.state.credential_limiter
    if not limiter.allow(credential):
        raise TooManyRequests("rate limit for this credential exceeded; retry after a pause")


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def _lookup_person(db: Database, token: str) -> Person:
    with db.read() as session:
        return person_for_token(session, token)


async def get_person(request: Request, db: DbDep) -> Person:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        # The browser workspace: cookie session, CSRF header checked on writes.
        from labelworks.web.session import api_person

        person = await api_person(request, db)
        if person is not None:
            _limit_credential(request, person.user_id)
            return person
        raise Unauthorized("log in at POST /auth/login and send 'Authorization: Bearer <token>'")
    person = await run_in_threadpool(_lookup_person, db, token)
    _limit_credential(request, person.user_id)
    return person


PersonDep = Annotated[Person, Depends(get_person)]


async def json_body(request: Request) -> Any:
    raw = await request.body()
    if not raw.strip():
        return None
    return safe_json.loads(raw)


JsonBody = Annotated[Any, Depends(json_body)]


def object_body(body: Any, what: str = "body") -> dict[str, Any]:
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise InvalidRequest("must be a JSON object", what)
    return body
