"""Password login and bearer tokens for people (annotators, reviewers, admins, customers)."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import case, delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from labelworks.db.database import Database
from labelworks.db.tables import LoginFailure, User, UserSession
from labelworks.db.types import utcnow
from labelworks.errors import InvalidRequest, TooManyRequests, Unauthorized
from labelworks.services.users import hash_password, verify_password

SESSION_TTL = dt.timedelta(days=7)
FAILURE_WINDOW = dt.timedelta(minutes=15)
MAX_FAILURES = 10
MAX_EMAIL = 320  # users.email / login_failures.email
MAX_PASSWORD = 1024  # argon2 hashes any length; no reason to hash megabytes


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
    """Check a password and open a session.

    Each attempt is counted *before* the password is checked, in one atomic upsert, so parallel
    guesses cannot all pass a "fewer than MAX_FAILURES so far" read (a success clears the count).
    The (deliberately slow) argon2 check runs outside any transaction, so logins never hold
    SQLite's write lock, and it runs for unknown emails too (against a dummy hash), so the answer
    takes as long whether or not the account exists."""
    if not isinstance(email, str) or not email:
        raise InvalidRequest("is required", "email")
    if not isinstance(password, str) or not password:
        raise InvalidRequest("is required", "password")
    email = email.strip().lower()
    if len(email) > MAX_EMAIL:
        raise InvalidRequest(f"must be at most {MAX_EMAIL} characters", "email")
    if len(password) > MAX_PASSWORD:
        raise InvalidRequest(f"must be at most {MAX_PASSWORD} characters", "password")
    with db.write() as session:
        attempts = _count_attempt(session, email)
        user = session.scalar(select(User).where(User.email == email))
    if attempts > MAX_FAILURES:
        raise TooManyRequests("too many failed logins; try again in a few minutes")
    if user is not None and user.password_hash:
        ok = verify_password(user.password_hash, password)
    else:
        verify_password(dummy_hash(), password)
        ok = False
    if not ok:
        raise Unauthorized("wrong email or password")
    assert user is not None
    token = secrets.token_urlsafe(32)
    with db.write() as session:
        session.execute(delete(LoginFailure).where(LoginFailure.email == email))
        session.add(
            UserSession(token_hash=_hash(token), user_id=user.id, expires_at=utcnow() + SESSION_TTL)
        )
    return token


def _count_attempt(session: Session, email: str) -> int:
    """Add one attempt to the email's window (a new window once the old one is over); -> the
    attempts in the window, this one included. One statement: atomic on both databases."""
    now = utcnow()
    expired = LoginFailure.window_start < now - FAILURE_WINDOW
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    upsert = insert(LoginFailure).values(email=email, failures=1, window_start=now)
    stmt = upsert.on_conflict_do_update(
        index_elements=[LoginFailure.email],
        set_={
            "failures": case((expired, 1), else_=LoginFailure.failures + 1),
            "window_start": case((expired, now), else_=LoginFailure.window_start),
        },
    ).returning(LoginFailure.failures)
    return int(session.execute(stmt).scalar_one())


@functools.cache
def dummy_hash() -> str:
    """An argon2 hash with the same parameters as real ones, checked for unknown emails."""
    return hash_password(secrets.token_urlsafe(16))


def person_for_token(session: Session, token: str) -> Person:
    row = session.execute(
        select(User.id, User.email, User.role, User.org_id)
        .join(UserSession, UserSession.user_id == User.id)
        .where(UserSession.token_hash == _hash(token), UserSession.expires_at > utcnow())
    ).first()
    if row is None:
        raise Unauthorized("invalid or expired token; log in again")
    return Person(row.id, row.email, row.role, row.org_id)
