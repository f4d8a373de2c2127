"""`Database`: the engine, its session factory and the settings, handed to routes and commands."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from labelworks.db.engine import make_engine, make_sessionmaker, session_scope
from labelworks.db.migrate import upgrade_to_head
from labelworks.settings import Settings


@dataclass
class Database:
    settings: Settings
    engine: Engine
    factory: sessionmaker[Session] = field(init=False)

    def __post_init__(self) -> None:
        self.factory = make_sessionmaker(self.engine)

    @classmethod
    def open(cls, settings: Settings, migrate: bool = True) -> Database:
        engine = make_engine(settings)
        if migrate:
            upgrade_to_head(engine)
        return cls(settings, engine)

    @contextmanager
    def read(self) -> Iterator[Session]:
        with session_scope(self.factory) as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction, committed when the block exits without error."""
        with session_scope(self.factory, write=True) as session:
            yield session
