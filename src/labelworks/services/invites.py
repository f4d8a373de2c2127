"""One-time invite links: an operator issues one for a user, the person sets their password with it.

Only the token's sha256 is stored. A token works once, within `INVITE_TTL`; issuing a new link
for a user cancels their earlier unused ones.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from labelworks.db.tables import InviteToken, User
from labelworks.db.types import utcnow
from labelworks.errors import InvalidRequest, NotFound, Unauthorized
from labelworks.services.users import hash_password

INVITE_TTL = dt.timedelta(days=7)
MIN_PASSWORD = 8


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_invite(session: Session, email: str) -> tuple[str, dt.datetime]:
    """-> (token in clear, expiry). The user must exist (invited through the API or created)."""
    email = email.strip().lower()
    user = session.scalar(select(User).where(User.email == email))
    if user is None:
        raise NotFound(
            f"no user with email {email!r}; invite them to a team or create them first", "email"
        )
    session.execute(
        delete(InviteToken).where(InviteToken.user_id == user.id, InviteToken.used_at.is_(None))
    )
    token = secrets.token_urlsafe(32)
    expires = utcnow() + INVITE_TTL
    session.add(InviteToken(token_hash=_hash(token), user_id=user.id, expires_at=expires))
    session.flush()
    return token, expires


def new_password_hash(password: object) -> str:
    """Check and hash a new password (slow on purpose: call it outside the write transaction)."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise InvalidRequest(f"must be at least {MIN_PASSWORD} characters", "password")
    return hash_password(password)


def check_token(token: object) -> str:
    if not isinstance(token, str) or not token:
        raise InvalidRequest("is required", "token")
    return token


def accept_invite(session: Session, token: str, password_hash: str) -> User:
    """Spend the token (atomically: it works only once) and set its user's password."""
    now = utcnow()
    spent = session.execute(
        update(InviteToken)
        .where(
            InviteToken.token_hash == _hash(token),
            InviteToken.used_at.is_(None),
            InviteToken.expires_at > now,
        )
        .values(used_at=now)
        .returning(InviteToken.user_id)
    ).scalar()
    if spent is None:
        raise Unauthorized("invalid, expired or already used invite token", "token")
    user = session.get(User, spent)
    assert user is not None
    user.password_hash = password_hash
    session.flush()
    return user
