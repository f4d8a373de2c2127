"""Organisations and their API keys."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from labelworks.db.tables import ApiKey, Org
from labelworks.db.types import utcnow
from labelworks.errors import Conflict, InvalidRequest, NotFound, Unauthorized
from labelworks.services.ids import hash_api_key, new_api_key, new_secret
from labelworks.services.names import check_name
from labelworks.services.scope import Principal


@dataclass(frozen=True)
class KeyInfo:
    id: int
    prefix: str
    created_at: str
    revoked: bool
    is_test: bool = False
    read_only: bool = False
    projects: tuple[str, ...] | None = None


def create_org(session: Session, name: str) -> tuple[Org, str]:
    """Create an org and its first API key; returns the key in clear (shown once)."""
    check_name(name, "name")
    org = Org(name=name, callback_secret=new_secret())
    session.add(org)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise Conflict(f"an organisation named {name!r} already exists", "name") from None
    from labelworks.services.walls import apply_requests_for

    apply_requests_for(session, org)  # walls customers asked for against this name
    key = create_key(session, org)
    return org, key


def get_org(session: Session, name: str) -> Org:
    org = session.scalar(select(Org).where(Org.name == name))
    if org is None:
        raise NotFound(f"no organisation named {name!r}", "org")
    return org


def create_key(
    session: Session,
    org: Org,
    *,
    test: bool = False,
    read_only: bool = False,
    projects: list[str] | None = None,
) -> str:
    """A new key in clear (shown once): `live_…`, or `test_…` for Scale's test mode, whose
    tasks never reach a person and complete at once with a placeholder response. `read_only`
    keys are refused every write; `projects` limits a key to those projects (the others, and
    their tasks and batches, are not found)."""
    if projects is not None:
        projects = list(dict.fromkeys(p.strip() for p in projects if p.strip()))
        if not projects:
            raise InvalidRequest("name at least one project", "projects")
        for name in projects:
            check_name(name, "projects")
    key = new_api_key(test=test)
    session.add(
        ApiKey(
            org_id=org.id,
            prefix=key[:13],
            key_hash=hash_api_key(key),
            is_test=test,
            read_only=read_only,
            projects=projects,
        )
    )
    session.flush()
    return key


def list_keys(session: Session, org: Org) -> list[KeyInfo]:
    rows = session.scalars(select(ApiKey).where(ApiKey.org_id == org.id).order_by(ApiKey.id))
    return [
        KeyInfo(
            k.id,
            k.prefix,
            k.created_at.isoformat(),
            k.revoked_at is not None,
            k.is_test,
            k.read_only,
            tuple(k.projects) if k.projects is not None else None,
        )
        for k in rows
    ]


def revoke_key(session: Session, org: Org, prefix: str) -> int:
    """Revoke every live key of the org starting with `prefix` (at least 8 characters)."""
    if len(prefix) < 8:
        raise InvalidRequest("give at least 8 characters of the key prefix", "prefix")
    keys = session.scalars(
        select(ApiKey).where(ApiKey.org_id == org.id, ApiKey.revoked_at.is_(None))
    ).all()
    hits = [k for k in keys if k.prefix.startswith(prefix) or prefix.startswith(k.prefix)]
    if not hits:
        raise NotFound(f"no live key with prefix {prefix!r}", "prefix")
    for k in hits:
        k.revoked_at = utcnow()
    return len(hits)


def revoke_key_id(session: Session, org: Org, key_id: int) -> ApiKey:
    """Revoke one key of the org by id (another org's key is not found); revoking twice is a
    no-op. API servers cache a key for a second, so it stops working within that second."""
    key = session.scalar(select(ApiKey).where(ApiKey.org_id == org.id, ApiKey.id == key_id))
    if key is None:
        raise NotFound(f"no API key {key_id}", "key")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
    return key


def rotate_callback_secret(org: Org) -> str:
    """A new callback secret; callbacks signed from now on use it (shown to the caller)."""
    org.callback_secret = new_secret()
    return org.callback_secret


def masked_secret(secret: str) -> str:
    """Enough to tell two secrets apart, not enough to use one."""
    return "•" * 8 + secret[-4:]


def principal_for_key(session: Session, key: str) -> Principal:
    row = session.execute(
        select(
            Org.id,
            Org.name,
            ApiKey.id.label("key_id"),
            ApiKey.is_test,
            ApiKey.read_only,
            ApiKey.projects,
        )
        .join(ApiKey, ApiKey.org_id == Org.id)
        .where(ApiKey.key_hash == hash_api_key(key), ApiKey.revoked_at.is_(None))
    ).first()
    if row is None:
        raise Unauthorized("invalid or revoked API key")
    return Principal(
        org_id=row.id,
        org_name=row.name,
        kind="api_key",
        key_id=row.key_id,
        is_test=row.is_test,
        read_only=row.read_only,
        projects=tuple(row.projects) if row.projects is not None else None,
    )
