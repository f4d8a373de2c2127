"""Break-glass: an operator's time-limited, recorded access to one org's content.

Operators (platform role `admin`) see operational numbers, never task content, attachments or
responses, unless a grant for that org is active. Every grant is a row with who, why and until
when; the customer sees the list (`GET /v1/breakglass`, the `/org/access` page). A grant
without an operator is for the command line (exports), which has no signed-in person.
"""

from __future__ import annotations

import datetime as dt
import getpass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from labelworks.db.tables import BreakglassGrant, Org, User
from labelworks.db.types import iso, utcnow
from labelworks.errors import Forbidden, InvalidRequest, NotFound
from labelworks.services import trail
from labelworks.services.scope import Principal

MAX_MINUTES = 24 * 60


def grant(
    session: Session, org: Org, reason: str, minutes: int, operator_email: str | None = None
) -> BreakglassGrant:
    reason = " ".join((reason or "").split())
    if len(reason) < 5:
        raise InvalidRequest("say why, in a few words (at least 5 characters)", "reason")
    if len(reason) > 2000:
        raise InvalidRequest("must be at most 2000 characters", "reason")
    if not 1 <= minutes <= MAX_MINUTES:
        raise InvalidRequest(f"must be from 1 to {MAX_MINUTES} minutes", "minutes")
    operator_id: int | None = None
    if operator_email is not None:
        user = session.scalar(select(User).where(User.email == operator_email.strip().lower()))
        if user is None or user.role != "admin":
            raise NotFound(f"no operator (admin) {operator_email!r}", "operator")
        operator_id, label = user.id, user.email
    else:
        label = f"command line ({_os_user()})"
    now = utcnow()
    row = BreakglassGrant(
        org_id=org.id,
        operator_user_id=operator_id,
        operator=label,
        reason=reason,
        granted_at=now,
        expires_at=now + dt.timedelta(minutes=minutes),
    )
    session.add(row)
    session.flush()
    trail.record(
        session, operator(operator_id), "breakglass.grant", [row.id], org_id=org.id,
        reason=f"{reason} (until {iso(row.expires_at)}, for {label})",
    )  # fmt: skip
    return row


def operator(user_id: int | None) -> trail.TrailActor:
    """The trail's actor for an operator (None: the command line, which has no person)."""
    return trail.TrailActor("operator", None if user_id is None else str(user_id), "admin")


def record_use(
    session: Session, found: BreakglassGrant, action: str, objects: list[str], **kw: Any
) -> None:
    """An access made under a grant, on the org's trail with the grant's reason."""
    trail.record(
        session, operator(found.operator_user_id), action, objects, org_id=found.org_id,
        reason=f"break-glass {found.id}: {found.reason}", **kw,
    )  # fmt: skip


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        return "unknown"


def active_grant(
    session: Session, operator_user_id: int | None, org_id: int
) -> BreakglassGrant | None:
    """The operator's grant on this org that is in force now, if any (None: the command line)."""
    who = (
        BreakglassGrant.operator_user_id.is_(None)
        if operator_user_id is None
        else BreakglassGrant.operator_user_id == operator_user_id
    )
    return session.scalar(
        select(BreakglassGrant)
        .where(BreakglassGrant.org_id == org_id, who, BreakglassGrant.expires_at > utcnow())
        .order_by(BreakglassGrant.expires_at.desc())
        .limit(1)
    )


def require_grant(session: Session, operator_user_id: int | None, org: Org) -> BreakglassGrant:
    """Forbidden, saying why and how, unless a grant is in force."""
    found = active_grant(session, operator_user_id, org.id)
    if found is None:
        who = "the command line" if operator_user_id is None else "this operator"
        raise Forbidden(
            f"operators do not read {org.name!r}'s task content: {who} has no active break-glass "
            f"grant (labelworks breakglass --org ORG --reason … --minutes N); the customer sees "
            f"every grant"
        )
    return found


def grants_of(session: Session, principal: Principal, limit: int = 100) -> list[dict[str, Any]]:
    """The org's grants, newest first: what the customer is shown."""
    now = utcnow()
    rows = session.scalars(
        select(BreakglassGrant)
        .where(BreakglassGrant.org_id == principal.org_id)
        .order_by(BreakglassGrant.id.desc())
        .limit(limit)
    )
    return [
        {
            "id": r.id,
            "operator": r.operator,
            "reason": r.reason,
            "granted_at": iso(r.granted_at),
            "expires_at": iso(r.expires_at),
            "active": r.expires_at > now,
        }
        for r in rows
    ]
