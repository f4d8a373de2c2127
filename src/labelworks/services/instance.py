"""Installation-wide secrets kept in the database so every process shares them."""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from labelworks.db.tables import InstanceSecret
from labelworks.services.ids import new_secret


def instance_secret(engine: Engine, name: str) -> bytes:
    return _cached(engine, name)


@lru_cache(maxsize=32)
def _cached(engine: Engine, name: str) -> bytes:
    with Session(engine) as session:
        row = session.get(InstanceSecret, name)
        if row is None:
            session.add(InstanceSecret(name=name, value=new_secret()))
            try:
                session.commit()
            except IntegrityError:  # another process created it first
                session.rollback()
        value = session.scalar(select(InstanceSecret.value).where(InstanceSecret.name == name))
    assert value is not None
    return value.encode()
