"""People who log in: annotators, reviewers, operators (admin) and customers' staff."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from labelworks.db.tables import Org, User
from labelworks.errors import Conflict, InvalidRequest

ROLES = ("customer", "annotator", "reviewer", "admin")


def hash_password(password: str) -> str:
    from argon2 import PasswordHasher

    return PasswordHasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    from argon2 import PasswordHasher
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return PasswordHasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def create_user(
    session: Session, email: str, role: str, password: str | None, org: Org | None = None
) -> User:
    email = email.strip().lower()
    if "@" not in email or len(email) > 320:
        raise InvalidRequest("must be an email address", "email")
    if role not in ROLES:
        raise InvalidRequest(f"must be one of {', '.join(ROLES)}", "role")
    if role == "customer" and org is None:
        raise InvalidRequest("a customer user needs --org", "org")
    if password is not None and len(password) < 8:
        raise InvalidRequest("must be at least 8 characters", "password")
    user = User(
        email=email,
        role=role,
        org_id=org.id if org else None,
        password_hash=hash_password(password) if password else None,
    )
    session.add(user)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(f"a user with email {email!r} already exists", "email") from None
    return user
