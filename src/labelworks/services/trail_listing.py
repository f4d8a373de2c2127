"""`GET /v1/access-log`: an org's trail records, newest first, filtered, in signed keyset pages.

`next_token` is the last seq served, bound to the org and the filters and HMAC-signed with an
installation secret (as task listing's), so a forged or re-filtered token is a 400.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from labelworks.db.tables import TrailRecord
from labelworks.errors import InvalidRequest
from labelworks.services.scope import Principal, of_org
from labelworks.services.trail import ACTOR_KINDS


@dataclass(frozen=True)
class TrailFilters:
    actor_kind: str | None = None
    action: str | None = None
    object_id: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None

    def fingerprint(self) -> str:
        raw = json.dumps([self.actor_kind, self.action, self.object_id,
                          _stamp(self.since), _stamp(self.until)])  # fmt: skip
        return hashlib.sha256(raw.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class TrailPage:
    records: list[TrailRecord]
    has_more: bool
    next_token: str | None


def list_records(
    session: Session,
    principal: Principal,
    filters: TrailFilters,
    *,
    limit: int,
    next_token: str | None,
    secret: bytes,
) -> TrailPage:
    if not 1 <= limit <= 100:
        raise InvalidRequest("must be between 1 and 100", "limit")
    if filters.actor_kind is not None and filters.actor_kind not in ACTOR_KINDS:
        raise InvalidRequest(f"must be one of {', '.join(ACTOR_KINDS)}", "actor_kind")
    stmt = select(TrailRecord).where(of_org(TrailRecord, principal))
    if filters.actor_kind is not None:
        stmt = stmt.where(TrailRecord.actor_kind == filters.actor_kind)
    if filters.action is not None:
        stmt = stmt.where(TrailRecord.action == filters.action)
    if filters.object_id is not None:
        # object_ids is a canonical JSON list of strings: match the quoted id exactly.
        quoted = json.dumps(filters.object_id)
        pattern = "%" + quoted.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(TrailRecord.object_ids.like(pattern, escape="\\"))
    if filters.since is not None:
        stmt = stmt.where(TrailRecord.at >= _stamp(filters.since))
    if filters.until is not None:
        stmt = stmt.where(TrailRecord.at <= _stamp(filters.until))
    if next_token:
        stmt = stmt.where(TrailRecord.seq < _decode(next_token, filters, principal, secret))
    rows = list(session.scalars(stmt.order_by(TrailRecord.seq.desc()).limit(limit + 1)))
    has_more = len(rows) > limit
    rows = rows[:limit]
    token = _encode(rows[-1].seq, filters, principal, secret) if has_more else None
    return TrailPage(rows, has_more, token)


def record_json(record: TrailRecord) -> dict[str, Any]:
    return {
        "seq": record.seq,
        "at": record.at,
        "actor": {"kind": record.actor_kind, "id": record.actor_id, "role": record.role},
        "action": record.action,
        "object_type": record.object_type,
        "object_ids": json.loads(record.object_ids),
        "count": record.count,
        "reason": record.reason,
        "prev_hash": record.prev_hash,
        "hash": record.hash,
    }


def _stamp(value: dt.datetime | None) -> str | None:
    # The same text form as the stored `at`, so comparing strings compares instants.
    if value is None:
        return None
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _sign(payload: bytes, secret: bytes) -> str:
    return hmac.new(secret, payload, hashlib.sha256).hexdigest()[:24]


def _encode(seq: int, filters: TrailFilters, principal: Principal, secret: bytes) -> str:
    payload = f"trail.{seq}.{principal.org_id}.{filters.fingerprint()}".encode()
    raw = payload + b"." + _sign(payload, secret).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(token: str, filters: TrailFilters, principal: Principal, secret: bytes) -> int:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        payload, signature = raw.rsplit(b".", 1)
        tag, seq_s, org_s, fingerprint = payload.decode().split(".")
        valid = tag == "trail" and hmac.compare_digest(signature.decode(), _sign(payload, secret))
    except (ValueError, UnicodeDecodeError):
        valid = False
    if not valid:
        raise InvalidRequest("is not a token this server issued", "next_token")
    if int(org_s) != principal.org_id or fingerprint != filters.fingerprint():
        raise InvalidRequest("was issued for other filters; restart the listing", "next_token")
    return int(seq_s)
