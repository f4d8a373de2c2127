"""Conflict walls: two competing orgs share no worker within a cooling-off window.

A wall is one symmetric row (`conflict_walls`, smaller org id first). What a person worked on is
one row per (person, org) in `worked_orgs`, upserted when work is leased or submitted, in that
same transaction. The queue asks `walled_orgs()` inside the transaction that picks, so a wall
is enforced from fresh data, never from a cache. Customers ask for walls by competitor name
(`request_walls`): the request is kept by normalised name and applied now or when an org of
that name is created, and the answer is the same whether or not the name matched.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from labelworks.db.tables import ConflictWall, Org, WallRequest, WorkedOrg
from labelworks.db.types import iso, utcnow
from labelworks.errors import InvalidRequest, NotFound
from labelworks.services.scope import Principal

DEFAULT_DAYS = 30
MAX_DAYS = 3650
MAX_COMPETITORS = 50


@dataclass(frozen=True)
class WallInfo:
    org_a: str
    org_b: str
    days: int
    source: str
    created_at: dt.datetime


def name_key(name: str) -> str:
    """How competitor names are compared: case-folded, spaces collapsed."""
    return " ".join(name.split()).casefold()


def check_days(days: object, field: str = "days") -> int:
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise InvalidRequest(f"must be a whole number of days from 1 to {MAX_DAYS}", field)
    return days


def add_wall(session: Session, a: Org, b: Org, days: int, source: str = "operator") -> None:
    """Wall two orgs off (idempotent: an existing wall takes the longer window)."""
    check_days(days)
    if a.id == b.id:
        raise InvalidRequest("an organisation cannot be walled off from itself", "org")
    low, high = sorted((a.id, b.id))
    wall = session.scalar(
        select(ConflictWall).where(ConflictWall.org_a_id == low, ConflictWall.org_b_id == high)
    )
    if wall is None:
        session.add(ConflictWall(org_a_id=low, org_b_id=high, days=days, source=source))
    elif source == "operator":
        wall.days, wall.source = days, source  # the operator's word is final
    else:
        wall.days = max(wall.days, days)
    session.flush()


def remove_wall(session: Session, a: Org, b: Org) -> None:
    low, high = sorted((a.id, b.id))
    gone = session.execute(
        delete(ConflictWall).where(ConflictWall.org_a_id == low, ConflictWall.org_b_id == high)
    )
    if not gone.rowcount:  # type: ignore[attr-defined]
        raise NotFound(f"no wall between {a.name!r} and {b.name!r}", "org")


def list_walls(session: Session) -> list[WallInfo]:
    names: dict[int, str] = {i: n for i, n in session.execute(select(Org.id, Org.name))}
    rows = session.scalars(select(ConflictWall).order_by(ConflictWall.id))
    return [
        WallInfo(names[w.org_a_id], names[w.org_b_id], w.days, w.source, w.created_at) for w in rows
    ]


def request_walls(
    session: Session, principal: Principal, competitors: object, days: object = DEFAULT_DAYS
) -> dict[str, Any]:
    """Record the org's wish to be walled off from these competitors. The answer echoes the
    request and nothing else: whether a name is a customer here is never revealed."""
    if not isinstance(competitors, list) or not competitors:
        raise InvalidRequest("must be a non-empty list of organisation names", "competitors")
    if len(competitors) > MAX_COMPETITORS:
        raise InvalidRequest(f"at most {MAX_COMPETITORS} names at once", "competitors")
    wanted = check_days(days)
    names: dict[str, str] = {}
    for i, name in enumerate(competitors):
        field = f"competitors[{i}]"
        if not isinstance(name, str) or not name.strip():
            raise InvalidRequest("must be a non-empty string", field)
        if len(name) > 200:
            raise InvalidRequest("must be at most 200 characters", field)
        names.setdefault(name_key(name), " ".join(name.split()))
    own = session.get(Org, principal.org_id)
    assert own is not None
    orgs_by_key = {name_key(o.name): o for o in session.scalars(select(Org))}
    for key, shown in names.items():
        row = session.scalar(
            select(WallRequest).where(WallRequest.org_id == own.id, WallRequest.name_key == key)
        )
        if row is None:
            session.add(WallRequest(org_id=own.id, name=shown, name_key=key, days=wanted))
        else:
            row.days = max(row.days, wanted)
        rival = orgs_by_key.get(key)
        if rival is not None and rival.id != own.id:
            add_wall(session, own, rival, wanted, source="request")
    session.flush()
    return {"requested": sorted(names.values(), key=str.casefold), "days": wanted}


def my_requests(session: Session, principal: Principal) -> list[dict[str, Any]]:
    """The org's own requests, as typed (never which of them matched an org)."""
    rows = session.scalars(
        select(WallRequest).where(WallRequest.org_id == principal.org_id).order_by(WallRequest.id)
    )
    return [{"name": r.name, "days": r.days, "requested_at": iso(r.created_at)} for r in rows]


def apply_requests_for(session: Session, org: Org) -> None:
    """A new org: walls requested earlier against its name take effect now."""
    rows = session.scalars(select(WallRequest).where(WallRequest.name_key == name_key(org.name)))
    for request in rows:
        requester = session.get(Org, request.org_id)
        if requester is not None and requester.id != org.id:
            add_wall(session, requester, org, request.days, source="request")


def mark_worked(session: Session, user_id: int, org_id: int) -> None:
    """This person just leased or submitted work of this org (one upsert)."""
    now = utcnow()
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = insert(WorkedOrg).values(user_id=user_id, org_id=org_id, last_at=now)
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=[WorkedOrg.user_id, WorkedOrg.org_id], set_={"last_at": now}
        )
    )


def walled_orgs(session: Session, user_id: int) -> set[int]:
    """The orgs this person may not work for now: the other side of every wall around an org
    they worked for within that wall's window. Read in the caller's transaction."""
    rows = session.execute(
        select(
            WorkedOrg.org_id,
            WorkedOrg.last_at,
            ConflictWall.org_a_id,
            ConflictWall.org_b_id,
            ConflictWall.days,
        )
        .join(
            ConflictWall,
            or_(
                ConflictWall.org_a_id == WorkedOrg.org_id, ConflictWall.org_b_id == WorkedOrg.org_id
            ),
        )
        .where(WorkedOrg.user_id == user_id)
    ).all()
    now = utcnow()
    out: set[int] = set()
    for worked, last_at, a, b, days in rows:
        if last_at > now - dt.timedelta(days=days):
            out.add(b if worked == a else a)
    return out
