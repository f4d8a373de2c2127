"""Password login and bearer tokens for people (annotators, reviewers, admins, customers)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from labelworks.db.database import Database
from labelworks.db.tables import LoginFailure, User, UserSession
from labelworks.db.types import utcnow
from labelworks.errors import InvalidRequest, TooManyRequests, Unauthorized
from labelworks.services.users import verify_password

SESSION_TTL = dt.timedelta(days=7)
FAILURE_WINDOW = dt.timedelta(minutes=15)
MAX_FAILURES = 10


@dataclass(frozen=True)
class Person:
    """Who is behind a bearer token."""

    user_id: int
    email: str
    role: str
    org_id: int | None


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def login(db: Database, email: object, password: object) -> str:
    """Check a password and open a session. The (deliberately slow) argon2 check runs outside
    any transaction, so logins never hold SQLite's write lock."""
    if not isinstance(email, str) or not email:
        raise InvalidRequest("is required", "email")
    if not isinstance(password, str) or not password:
        raise InvalidRequest("is required", "password")
    email = email.strip().lower()
    with db.read() as session:
        failure = session.get(LoginFailure, email)
        locked = (
            failure is not None
            and utcnow() - failure.window_start <= FAILURE_WINDOW
            and failure.failures >= MAX_FAILURES
        )
        user = session.scalar(select(User).where(User.email == email))
    if locked:
        raise TooManyRequests("too many failed logins; try again in a few minutes")
    ok = (
        user is not None
        and bool(user.password_hash)
        and verify_password(user.password_hash, password)
    )
    with db.write() as session:
        failure = session.get(LoginFailure, email)
        now = utcnow()
        if failure is not None and now - failure.window_start > FAILURE_WINDOW:
            failure.failures, failure.window_start = 0, now
        if not ok:
            if failure is None:
                session.add(LoginFailure(email=email, failures=1, window_start=now))
            else:
                failure.failures += 1
        else:
            if failure is not None:
                session.delete(failure)
            token = secrets.token_urlsafe(32)
            assert user is not None
            session.add(
                UserSession(token_hash=_hash(token), user_id=user.id, expires_at=now + SESSION_TTL)
            )
    if not ok:
        raise Unauthorized("wrong email or password")
    return token


def person_for_token(session: Session, token: str) -> Person:
    row = session.execute(
        select(User.id, User.email, User.role, User.org_id)
        .join(UserSession, UserSession.user_id == User.id)
        .where(UserSession.token_hash == _hash(token), UserSession.expires_at > utcnow())
    ).first()
    if row is None:
        raise Unauthorized("invalid or expired token; log in again")
    return Person(row.id, row.email, row.role, row.org_id)
