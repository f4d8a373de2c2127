"""Cookie sessions for the browser, on the same session rows as the bearer tokens.

The cookie holds the session token (HttpOnly, SameSite=Lax, Secure behind https). Every
cookie-authenticated write must carry a CSRF token bound to that session: an HMAC of the
session token under an instance secret, sent as the `X-CSRF-Token` header (scripts) or the
`csrf_token` form field (forms). A page that has it learns it from a `<meta>` tag.
"""

from __future__ import annotations

import hashlib
import hmac

from fastapi import Request, Response
from starlette.concurrency import run_in_threadpool

from labelworks.db.database import Database
from labelworks.errors import Forbidden
from labelworks.services.auth import SESSION_TTL, Person, person_for_token
from labelworks.services.instance import instance_secret

COOKIE = "lw_session"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def csrf_token(db: Database, session_token: str) -> str:
    key = instance_secret(db, "csrf")
    return hmac.new(key, session_token.encode(), hashlib.sha256).hexdigest()


def check_csrf(db: Database, session_token: str, sent: str | None) -> None:
    if not sent or not hmac.compare_digest(sent, csrf_token(db, session_token)):
        raise Forbidden("missing or wrong CSRF token; reload the page", "csrf_token")


def is_https(request: Request) -> bool:
    proto = request.headers.get("x-forwarded-proto", request.url.scheme)
    return proto.split(",")[0].strip() == "https"


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        COOKIE,
        token,
        max_age=int(SESSION_TTL.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=is_https(request),
        path="/",
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/")


def end_session(db: Database, token: str) -> None:
    """Signing out ends the session row itself, not just the cookie."""
    from sqlalchemy import delete

    from labelworks.db.tables import UserSession
    from labelworks.services.auth import _hash

    with db.write() as session:
        session.execute(delete(UserSession).where(UserSession.token_hash == _hash(token)))


def _lookup(db: Database, token: str) -> Person | None:
    from labelworks.errors import Unauthorized

    with db.read() as session:
        try:
            return person_for_token(session, token)
        except Unauthorized:
            return None


async def cookie_person(request: Request, db: Database) -> tuple[Person, str] | None:
    """The signed-in person and their session token, or None (no cookie or a dead session)."""
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    person = await run_in_threadpool(_lookup, db, token)
    return None if person is None else (person, token)


async def api_person(request: Request, db: Database) -> Person | None:
    """For the worker API: the cookie session, with the CSRF header checked on writes."""
    found = await cookie_person(request, db)
    if found is None:
        return None
    person, token = found
    if request.method not in SAFE_METHODS:
        await run_in_threadpool(check_csrf, db, token, request.headers.get(CSRF_HEADER))
    return person
