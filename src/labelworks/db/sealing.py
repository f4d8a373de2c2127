"""The write seam of encryption at rest: ORM flush events seal customer columns with the row's org.

A column type cannot see its row, so `before_insert`/`before_update` (per row, on the flush's
connection, in its transaction) replace each changed `Content`/`SealedText` attribute with a
`Sealed` value under the org's current data key, and `after_insert`/`after_update` put the
plaintext back, so code holding the object never sees ciphertext. The org is the row's `org_id`,
or its parent's for the few tables without one. Rows written without the ORM (bulk import) call
`seal_value` themselves; `Content`/`SealedText` refuse anything unsealed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, event, inspect, select
from sqlalchemy.orm import Mapper, attributes

from labelworks.db import keyring, tables
from labelworks.db.types import Content, Sealed, SealedText

_PLAIN = "labelworks_plain"


def seal_value(
    ring: keyring.KeyRing, conn: Connection, org_id: int, value: Any, json_: bool
) -> Any:
    """The stored form of one value of a Content (json_) or SealedText column."""
    if value is None or isinstance(value, Sealed) or not ring.enabled:
        return value
    if json_:
        if not value and value in ({}, [], ""):
            return value
        data = json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()
    else:
        if value == "":
            return value
        data = value.encode()
    return Sealed(ring.seal(conn, org_id, data))


def _org_of_parent(model: Any, key: str) -> Callable[[Connection, Any], int]:
    def resolve(conn: Connection, target: Any) -> int:
        org = conn.execute(select(model.org_id).where(model.id == getattr(target, key))).scalar()
        if org is None:
            raise keyring.KeyError_(f"no org for {type(target).__name__}")
        return int(org)

    return resolve


_PARENTS: dict[type, Callable[[Connection, Any], int]] = {
    tables.ProjectParamVersion: _org_of_parent(tables.Project, "project_id"),
    tables.WorkDraft: _org_of_parent(tables.Assignment, "assignment_id"),
    tables.ReviewReason: _org_of_parent(tables.Assignment, "assignment_id"),
}


def _sealed_columns(cls: type) -> list[tuple[str, bool]]:
    mapper: Mapper[Any] = inspect(cls)
    out = []
    for prop in mapper.column_attrs:
        column = prop.columns[0]
        if isinstance(column.type, Content | SealedText):
            out.append((prop.key, isinstance(column.type, Content)))
    return out


def _org_id(conn: Connection, target: Any) -> int:
    org = getattr(target, "org_id", None)
    if org is not None:
        return int(org)
    return _PARENTS[type(target)](conn, target)


def _before(columns: list[tuple[str, bool]], inserting: bool) -> Callable[..., None]:
    def seal(_mapper: Any, conn: Connection, target: Any) -> None:
        ring = keyring.active()
        if ring is None:
            return
        state = inspect(target)
        changed = [
            (key, json_)
            for key, json_ in columns
            if inserting or attributes.get_history(target, key).added
        ]
        if isinstance(target, tables.Task) and any(k == "unique_id" for k, _ in changed):
            uid = target.unique_id
            target.unique_key = (
                None if uid is None else ring.lookup(conn, _org_id(conn, target), uid)
            )
        if not ring.enabled:
            return
        plain: dict[str, Any] = {}
        org_id: int | None = None
        for key, json_ in changed:
            value = state.dict.get(key)
            if value is None or isinstance(value, Sealed):
                continue
            if org_id is None:
                org_id = _org_id(conn, target)
            sealed = seal_value(ring, conn, org_id, value, json_)
            if sealed is not value:
                plain[key] = value
                setattr(target, key, sealed)
        if plain:
            state.info[_PLAIN] = plain

    return seal


def _after(_mapper: Any, _conn: Connection, target: Any) -> None:
    state = inspect(target)
    plain = state.info.pop(_PLAIN, None)
    if plain:
        for key, value in plain.items():
            attributes.set_committed_value(target, key, value)


def install() -> None:
    """Listen on every mapped class that has a sealed column (once per process)."""
    if getattr(install, "done", False):
        return
    install.done = True  # type: ignore[attr-defined]
    for mapper in tables.Base.registry.mappers:
        cls = mapper.class_
        columns = _sealed_columns(cls)
        if not columns:
            continue
        event.listen(cls, "before_insert", _before(columns, True))
        event.listen(cls, "before_update", _before(columns, False))
        event.listen(cls, "after_insert", _after)
        event.listen(cls, "after_update", _after)


def ring() -> keyring.KeyRing:
    found = keyring.active()
    if found is None:
        raise keyring.KeyError_("no key ring: open the database first")
    return found


def lookup_hash(session: Any, org_id: int, value: str, create: bool = True) -> str | None:
    """The keyed hash that stands for `value` (a unique_id or a tag) in the org's indexes."""
    return ring().lookup(session.connection(), org_id, value, create)
