"""Installation-wide secrets kept in the database so every process shares them."""

from __future__ import annotations

import threading

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from labelworks.db.database import Database
from labelworks.db.tables import InstanceSecret
from labelworks.services.ids import new_secret

_cache: dict[tuple[int, str], bytes] = {}
_lock = threading.Lock()


def instance_secret(db: Database, name: str) -> bytes:
    """The named secret, created on first use (an upsert: processes may race to create it)."""
    key = (id(db), name)
    with _lock:
        if key in _cache:
            return _cache[key]
    insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    with db.write() as session:
        session.execute(
            insert(InstanceSecret).values(name=name, value=new_secret()).on_conflict_do_nothing()
        )
        row = session.get(InstanceSecret, name)
        assert row is not None  # inserted above, or by a concurrent caller
        value = row.value
    with _lock:
        _cache[key] = value.encode()
    return value.encode()


# Installation facts that are not secret, kept beside the secrets so every process sees them.
SERVED_URL = "served_url"


def set_value(db: Database, name: str, value: str) -> None:
    """Record a named installation value (the newest write wins)."""
    with db.write() as session:
        row = session.get(InstanceSecret, name)
        if row is None:
            session.add(InstanceSecret(name=name, value=value[:200]))
        else:
            row.value = value[:200]


def get_value(db: Database, name: str) -> str | None:
    with db.read() as session:
        row = session.get(InstanceSecret, name)
        return row.value if row is not None else None
