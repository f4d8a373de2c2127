"""One-time invite links: an operator issues one for a user; the person accepts it, which sets
their password (when given; required for a new account) and makes their pending team invites
active (`services/teams.py`).

Only the token's sha256 is stored. A token works once, within `INVITE_TTL`; issuing a new link
for a user cancels their earlier unused ones.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from labelworks.db.database import Database
from labelworks.db.tables import InviteToken, Org, TeamMember, User
from labelworks.db.types import utcnow
from labelworks.errors import InvalidRequest, NotFound, Unauthorized
from labelworks.services.scope import Principal, of_org
from labelworks.services.teams import ACTIVE, PENDING
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


def team_invite_token(session: Session, principal: Principal, email: str) -> str | None:
    """A one-time link token for a pending teammate whose account this org's invite created and
    who has no password yet (accepting sets it). For anyone else None: a link would let the
    inviting org set the password of someone else's account, so an operator issues theirs."""
    user = session.scalar(
        select(User)
        .join(TeamMember, TeamMember.user_id == User.id)
        .where(
            of_org(TeamMember, principal),
            TeamMember.status == PENDING,
            User.email == email.strip().lower(),
        )
    )
    if user is None or user.org_id != principal.org_id or user.password_hash:
        return None
    return create_invite(session, user.email)[0]


def new_password_hash(password: object) -> str:
    """Check and hash a new password (slow on purpose: call it outside the write transaction)."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise InvalidRequest(f"must be at least {MIN_PASSWORD} characters", "password")
    return hash_password(password)


def check_token(token: object) -> str:
    if not isinstance(token, str) or not token:
        raise InvalidRequest("is required", "token")
    return token


@dataclass(frozen=True)
class Accepted:
    """Who accepted, and the teams (org names) they joined by doing so."""

    email: str
    role: str
    teams: list[str]


def accept_invite(db: Database, token: object, password: object = None) -> Accepted:
    """Accept an invite link: spend the token (once), set the password if given (required when
    the account has none yet), and make the person's pending team invites active.

    The password is hashed (slow on purpose) before the write transaction opens."""
    token = check_token(token)
    password_hash = None if password is None else new_password_hash(password)
    with db.write() as session:
        return accept_with_hash(session, token, password_hash)


def accept_with_hash(session: Session, token: str, password_hash: str | None) -> Accepted:
    now = utcnow()
    live = (
        InviteToken.token_hash == _hash(token),
        InviteToken.used_at.is_(None),
        InviteToken.expires_at > now,
    )
    user_id = session.scalar(select(InviteToken.user_id).where(*live))
    if user_id is None:
        raise Unauthorized("invalid, expired or already used invite token", "token")
    user = session.get(User, user_id)
    assert user is not None
    if password_hash is None and not user.password_hash:
        # Checked before the token is spent: the person can try again with a password.
        raise InvalidRequest("is required to set up the account", "password")
    # Spend it atomically: of two concurrent accepts, one updates the row, the other nothing.
    spent = session.execute(
        update(InviteToken).where(*live).values(used_at=now).returning(InviteToken.user_id)
    ).scalar()
    if spent is None:
        raise Unauthorized("invalid, expired or already used invite token", "token")
    if password_hash is not None:
        user.password_hash = password_hash
    pending = session.execute(
        select(TeamMember, Org.name)
        .join(Org, Org.id == TeamMember.org_id)
        .where(TeamMember.user_id == user.id, TeamMember.status == PENDING)
        .order_by(Org.name)
    ).all()
    for member, _ in pending:
        member.status = ACTIVE
    session.flush()
    return Accepted(user.email, user.role, [name for _, name in pending])
