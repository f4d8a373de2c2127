"""The access trail: every read or write of an org's content, in a per-org hash chain.

Services (and pages) call `record(session, who, action, objects)` where they touch content; the
record is queued on the session and appended by `db.Database` — a write session appends it just
before its commit (the same transaction: a write without its record cannot commit), a read
session at the end of the read (PostgreSQL) or in one short write transaction right after it
(SQLite). Appends lock the org's chain head (`trail_heads`: an upsert that moves its seq, so
PostgreSQL locks the row; SQLite has one writer), so each org's chain grows one record at a
time: record n carries `prev_hash` = record n-1's `hash`, and `hash` is
SHA-256 over the canonical encoding of the record, its seq and that `prev_hash`.

`verify()` walks a chain and names the first broken link (an altered, inserted or deleted row);
the customer keeps `head()` (seq + hash) and later proves the chain still holds it, so even a
rewrite of the whole chain is detected.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from labelworks.db.database import TRAIL_PENDING
from labelworks.db.tables import TrailHead, TrailRecord
from labelworks.db.types import utcnow
from labelworks.services.scope import Principal

if TYPE_CHECKING:
    from labelworks.services.auth import Person

GENESIS = "0" * 64
PENDING = TRAIL_PENDING  # session.info key: records waiting for `append_pending`
# A list request names every id it served up to this many; beyond, the first and last (a range).
MAX_IDS = 100
ACTOR_KINDS = (
    "api_key", "user", "annotator", "reviewer", "operator", "export", "callback", "system",
)  # fmt: skip


@dataclass(frozen=True)
class TrailActor:
    """Who accessed: kind (ACTOR_KINDS), their id (key id, user id) and role."""

    kind: str
    id: str | None = None
    role: str | None = None


SYSTEM = TrailActor("system")
CALLBACK = TrailActor("callback")


def actor_of(who: Principal | Person | TrailActor) -> TrailActor:
    if isinstance(who, TrailActor):
        return who
    if isinstance(who, Principal):
        if who.kind == "api_key":
            return TrailActor("api_key", _str(who.key_id), who.team_role)
        if who.kind == "user":
            return TrailActor("user", _str(who.user_id), who.team_role)
        return SYSTEM
    # A person on the worker side: platform admins are the operator.
    kind = {"admin": "operator", "customer": "user"}.get(who.role, who.role)
    return TrailActor(kind if kind in ACTOR_KINDS else "annotator", str(who.user_id), who.role)


def _str(value: int | None) -> str | None:
    return None if value is None else str(value)


def record(
    session: Session,
    who: Principal | Person | TrailActor,
    action: str,
    objects: Iterable[object] = (),
    *,
    org_id: int | None = None,
    object_type: str | None = None,
    count: int | None = None,
    reason: str | None = None,
) -> None:
    """Note one access for the org's trail: `action` like `task.get`, `objects` the ids touched
    (a list request: the ids it served). `org_id` defaults to the principal's. Appended when the
    session's unit of work ends (see the module doc); safe to call from a read or write block."""
    if org_id is None:
        if not isinstance(who, Principal):
            raise ValueError("org_id is required unless a Principal is given")
        org_id = who.org_id
    ids = [str(o) for o in objects]
    entry = {
        "org_id": org_id,
        "actor": actor_of(who),
        "action": action,
        "object_type": object_type or action.partition(".")[0],
        "object_ids": ids if len(ids) <= MAX_IDS else [ids[0], ids[-1]],
        "count": len(ids) if count is None else count,
        "reason": reason,
    }
    session.info.setdefault(PENDING, []).append(entry)


def take_pending(session: Session) -> list[dict[str, Any]]:
    return session.info.pop(PENDING, None) or []


def append_pending(session: Session, pending: list[dict[str, Any]]) -> None:
    """Append queued records in the caller's write transaction, one chain head lock per org
    (taken in org order, so two transactions never wait on each other crosswise)."""
    by_org: dict[int, list[dict[str, Any]]] = {}
    for entry in pending:
        by_org.setdefault(entry["org_id"], []).append(entry)
    for org_id in sorted(by_org):
        _append(session, org_id, by_org[org_id])


def _append(session: Session, org_id: int, entries: list[dict[str, Any]]) -> None:
    seq, prev = _advance_head(session, org_id, len(entries))
    at = _stamp(utcnow())
    rows = []
    for entry in entries:
        seq += 1
        actor: TrailActor = entry["actor"]
        row = {
            "org_id": org_id,
            "seq": seq,
            "at": at,
            "actor_kind": actor.kind,
            "actor_id": actor.id,
            "role": actor.role,
            "action": entry["action"],
            "object_type": entry["object_type"],
            "object_ids": json.dumps(entry["object_ids"], separators=(",", ":")),
            "count": entry["count"],
            "reason": entry["reason"],
            "prev_hash": prev,
        }
        row["hash"] = prev = chain_hash(row)
        rows.append(row)
    # Cached Core statements on the session's connection: the ORM's bulk path and a statement
    # built per call cost more than the SQL itself.
    conn = session.connection()
    conn.execute(_INSERT_RECORD, rows)
    conn.execute(_MOVE_HEAD, {"org": org_id, "new_hash": prev})


def _advance_head(session: Session, org_id: int, n: int) -> tuple[int, str]:
    """Lock the org's head row (made on the first append) and move its seq on by `n`, in one
    statement; -> (the seq before, the hash before). Concurrent appends of the org wait here."""
    conn = session.connection()
    stmt = _ADVANCE_PG if conn.dialect.name == "postgresql" else _ADVANCE_SQLITE
    row = conn.execute(stmt, {"org": org_id, "n": n}).one()
    return row.seq - n, row.hash


_heads = cast(Table, TrailHead.__table__)
_INSERT_RECORD = insert(cast(Table, TrailRecord.__table__))
_MOVE_HEAD = (
    update(_heads).where(_heads.c.org_id == bindparam("org")).values(hash=bindparam("new_hash"))
)


def _advance(upsert: Any) -> Any:
    return (
        upsert(_heads)
        .values(org_id=bindparam("org"), seq=bindparam("n"), hash=GENESIS)
        .on_conflict_do_update(
            index_elements=[_heads.c.org_id], set_={"seq": _heads.c.seq + bindparam("n")}
        )
        .returning(_heads.c.seq, _heads.c.hash)
    )


_ADVANCE_PG = _advance(pg_insert)
_ADVANCE_SQLITE = _advance(sqlite_insert)


def _stamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


HASHED = (
    "org_id", "seq", "at", "actor_kind", "actor_id", "role", "action", "object_type",
    "object_ids", "count", "reason", "prev_hash",
)  # fmt: skip


def chain_hash(row: dict[str, Any]) -> str:
    """SHA-256 over the canonical encoding: a JSON array of the hashed fields in fixed order."""
    canonical = json.dumps([row[k] for k in HASHED], separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


# --- the customer's checks ------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    ok: bool
    records: int
    head_seq: int
    head_hash: str
    problem: str | None = None  # names the first broken link


def head(session: Session, org_id: int) -> tuple[int, str]:
    row = session.execute(
        select(TrailHead.seq, TrailHead.hash).where(TrailHead.org_id == org_id)
    ).first()
    return (0, GENESIS) if row is None else (row.seq, row.hash)


def verify(
    session: Session,
    org_id: int,
    kept: tuple[int, str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Verdict:
    """Walk the chain in seq order: every seq present once from 1, every `prev_hash` the hash
    before it, every `hash` recomputed; the head row matches the last record; and a `kept`
    head (seq, hash) the customer saved earlier is still in the chain."""
    expected_seq, prev, count = 1, GENESIS, 0
    kept_seen = kept is None
    columns = [getattr(TrailRecord, k) for k in ("id", *HASHED, "hash")]
    stmt = select(*columns).where(TrailRecord.org_id == org_id).order_by(TrailRecord.seq)
    for row in session.execute(stmt.execution_options(yield_per=2000)):
        data = row._asdict()
        where = f"record id {data['id']} (seq {data['seq']})"
        problem = None
        if data["seq"] != expected_seq:
            problem = f"{where}: expected seq {expected_seq} (a record was deleted or inserted)"
        elif data["prev_hash"] != prev:
            problem = f"{where}: prev_hash does not match the hash of seq {expected_seq - 1}"
        elif chain_hash(data) != data["hash"]:
            problem = f"{where}: hash does not match its contents (the row was altered)"
        if problem:
            return Verdict(False, count, expected_seq - 1, prev, problem)
        if kept is not None and data["seq"] == kept[0]:
            if data["hash"] != kept[1]:
                return Verdict(
                    False, count, data["seq"], data["hash"],
                    f"{where}: hash differs from the kept head {kept[0]}:{kept[1]} "
                    "(the chain was rewritten)",
                )  # fmt: skip
            kept_seen = True
        prev, expected_seq, count = data["hash"], expected_seq + 1, count + 1
        if progress is not None:
            progress(1)
    last = expected_seq - 1
    head_seq, head_hash = head(session, org_id)
    if (head_seq, head_hash) != (last, prev):
        return Verdict(
            False, count, last, prev,
            f"chain ends at seq {last} but its head says seq {head_seq} "
            "(records after it were deleted, or one was appended past the head)",
        )  # fmt: skip
    if not kept_seen:
        assert kept is not None
        return Verdict(
            False, count, last, prev,
            f"the kept head seq {kept[0]} is past the end of the chain (seq {last}): "
            "records were deleted or the chain was rewritten",
        )  # fmt: skip
    return Verdict(True, count, last, prev)


def parse_head(value: str) -> tuple[int, str]:
    """`SEQ:HASH` as printed by `labelworks trail head`."""
    seq, _, digest = value.strip().partition(":")
    if not seq.isdigit() or len(digest) != 64:
        raise ValueError("expected SEQ:HASH as printed by `labelworks trail head`")
    return int(seq), digest.lower()


def count_records(session: Session, org_id: int) -> int:
    return head(session, org_id)[0]
