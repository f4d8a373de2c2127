"""An org's own workforce (Scale "teams"): who is on it, and with which team role.

An invite is *pending* until the invitee accepts it (`services/invites.accept_invite`, with the
one-time link an operator issues with `labelworks user invite-link`): a pending teammate gets no
work from the team and keeps their place in the platform pool, and the team list shows only the
invited email, role and status, whether or not an account already existed (the inviting org
learns nothing about other people's accounts). The org owner (`labelworks org create --owner`)
is an active admin at once.

Invited people become `users` rows when they do not exist yet, without a password: they set one
when they accept. The user role of a new invitee follows the
team role: a `labeler` becomes an `annotator` (works in the org's queue), a `member`, `manager`
or `admin` becomes a `customer` of the org (customer staff). An existing user keeps the user
role they have unless the inviting org created them, in which case `set_role` keeps it in step.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from labelworks.db.tables import InviteToken, Org, TeamMember, User
from labelworks.db.types import utcnow
from labelworks.errors import InvalidRequest, NotFound
from labelworks.services.scope import Principal, of_org
from labelworks.services.users import create_user

TEAM_ROLES = ("labeler", "member", "manager", "admin")
# Other names people use for a role: `viewer` (the read-only customer role) is `member`.
ROLE_ALIASES = {"viewer": "member"}
PENDING, ACTIVE = "pending", "active"
MAX_EMAILS = 1000


def user_role_for(team_role: str) -> str:
    return "annotator" if team_role == "labeler" else "customer"


def email_list(value: Any, field: str = "emails", allow_empty: bool = False) -> list[str]:
    """A JSON list of email addresses -> lower-cased, de-duplicated, order kept."""
    if not isinstance(value, list) or (not value and not allow_empty):
        raise InvalidRequest(
            "must be a non-empty list of email addresses"
            if not allow_empty
            else "must be a list of email addresses",
            field,
        )
    if len(value) > MAX_EMAILS:
        raise InvalidRequest(f"at most {MAX_EMAILS} addresses at once", field)
    out: list[str] = []
    for i, email in enumerate(value):
        if not isinstance(email, str) or "@" not in email or len(email) > 320:
            raise InvalidRequest("must be an email address", f"{field}.{i}")
        email = email.strip().lower()
        if email not in out:
            out.append(email)
    return out


def team_role(value: Any) -> str:
    if isinstance(value, str):
        value = ROLE_ALIASES.get(value, value)
    if value not in TEAM_ROLES:
        raise InvalidRequest(f"must be one of {', '.join(TEAM_ROLES)}", "team_role")
    return str(value)


def teammates_by_email(
    session: Session, principal: Principal, emails: list[str], field: str = "emails"
) -> dict[str, User]:
    """The org's teammates with these emails; any other email is a 404 naming it."""
    if not emails:
        return {}
    rows = session.scalars(
        select(User)
        .join(TeamMember, TeamMember.user_id == User.id)
        .where(of_org(TeamMember, principal), User.email.in_(emails))
    ).all()
    found = {u.email: u for u in rows}
    for i, email in enumerate(emails):
        if email not in found:
            raise NotFound(f"{email!r} is not on this team", f"{field}.{i}")
    return found


def list_teammates(session: Session, principal: Principal) -> list[dict[str, Any]]:
    """Members and pending invites, in the shape of Scale's `list_teammates`, plus `status`."""
    rows = session.execute(
        select(User, TeamMember.team_role, TeamMember.status)
        .join(TeamMember, TeamMember.user_id == User.id)
        .where(of_org(TeamMember, principal))
        .order_by(User.email)
    ).all()
    expiries = _pending_invites(session, [u.id for u, _, status in rows if status == PENDING])
    return [teammate_json(user, role, status, expiries.get(user.id)) for user, role, status in rows]


def teammate_json(
    user: User, role: str, status: str = ACTIVE, expiry: Any = None
) -> dict[str, Any]:
    pending = status == PENDING
    return {
        "email": user.email,
        "role": role,
        "status": status,
        # Nothing about the account behind a pending invite: it may be someone else's.
        "firstName": None if pending else user.first_name,
        "lastName": None if pending else user.last_name,
        "isStudioLabeler": role == "labeler",
        # Set while the invite is pending and a link is live: when that link expires.
        "expiry": expiry.isoformat() if expiry is not None else None,
    }


def _pending_invites(session: Session, user_ids: list[int]) -> dict[int, Any]:
    if not user_ids:
        return {}
    rows = session.execute(
        select(InviteToken.user_id, func.max(InviteToken.expires_at))
        .where(
            InviteToken.user_id.in_(user_ids),
            InviteToken.used_at.is_(None),
            InviteToken.expires_at > utcnow(),
        )
        .group_by(InviteToken.user_id)
    ).all()
    return {user_id: expires for user_id, expires in rows}


def invite_teammates(
    session: Session, principal: Principal, body: dict[str, Any]
) -> list[dict[str, Any]]:
    """Invite people (pending until they accept), creating users as needed; an existing
    teammate or invite is left as is (use `set_role` to change a role). Returns the whole team;
    the answer is the same whether or not an invitee already had an account."""
    emails = email_list(body.get("emails"))
    role = team_role(body.get("team_role"))
    existing = {u.email: u for u in session.scalars(select(User).where(User.email.in_(emails)))}
    members = set(session.scalars(select(TeamMember.user_id).where(of_org(TeamMember, principal))))
    org = session.get(Org, principal.org_id)
    for email in emails:
        user = existing.get(email)
        if user is None:
            user = create_user(session, email, user_role_for(role), None, org)
        if user.id not in members:
            session.add(
                TeamMember(org_id=principal.org_id, user_id=user.id, team_role=role, status=PENDING)
            )
            members.add(user.id)
    session.flush()
    return list_teammates(session, principal)


def add_owner(session: Session, org: Org, email: str) -> User:
    """Put the org's owner on its team as an active admin (created as a customer user if new):
    an operator's act (`labelworks org create --owner`), so no invite to accept."""
    email = email_list([email], "owner")[0]
    user = session.scalar(select(User).where(User.email == email))
    if user is None:
        user = create_user(session, email, "customer", None, org)
    join_team(session, org, user, "admin")
    return user


def join_team(session: Session, org: Org, user: User, role: str) -> None:
    """Put a person on the org's team, active, with `role`: an operator's act (`org create
    --owner`, `user create --role customer --org`), so no invite to accept."""
    role = team_role(role)
    member = session.get(TeamMember, (org.id, user.id))
    if member is None:
        session.add(TeamMember(org_id=org.id, user_id=user.id, team_role=role, status=ACTIVE))
    else:
        member.team_role, member.status = role, ACTIVE
    session.flush()


def set_role(session: Session, principal: Principal, body: dict[str, Any]) -> list[dict[str, Any]]:
    emails = email_list(body.get("emails"))
    role = team_role(body.get("team_role"))
    users = teammates_by_email(session, principal, emails)
    rows = session.scalars(
        select(TeamMember).where(
            of_org(TeamMember, principal),
            TeamMember.user_id.in_([u.id for u in users.values()]),
        )
    ).all()
    for row in rows:
        row.team_role = role
    for user in users.values():
        # Only people this org brought in follow their team role; others keep theirs.
        if user.org_id == principal.org_id and user.role in ("annotator", "customer"):
            user.role = user_role_for(role)
    session.flush()
    return list_teammates(session, principal)
