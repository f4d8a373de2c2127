"""`Database`: the engine, its session factory and the settings, handed to routes and commands."""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from labelworks import clock
from labelworks.db import keyring, sealing
from labelworks.db.engine import make_engine, make_sessionmaker, session_scope
from labelworks.db.migrate import upgrade_to_head
from labelworks.settings import Settings

TRAIL_PENDING = "trail.pending"  # = services.trail.PENDING (db/ does not import services)


@dataclass
class Database:
    settings: Settings
    engine: Engine
    factory: sessionmaker[Session] = field(init=False)

    def __post_init__(self) -> None:
        self.factory = make_sessionmaker(self.engine)
        sealing.install()
        self.keyring = keyring.KeyRing(
            self.engine, keyring.load_master_key(self.settings), self.settings.encryption
        )
        keyring.install(self.keyring)
        # SQLite has one writer at a time; its busy handler makes waiting writers sleep in
        # growing steps (up to 100 ms), which wrecks tail latency under load. Writers queue here
        # instead: threads on a lock, processes on an flock of a file beside the database.
        self._write_lock = None
        self._lock_path = None
        if self.engine.dialect.name == "sqlite":
            self._write_lock = threading.Lock()
            database = self.engine.url.database
            if database and database != ":memory:":
                self._lock_path = f"{database}.writer-lock"

    @classmethod
    def open(cls, settings: Settings, migrate: bool = True) -> Database:
        if settings.clock_offset_file is not None:
            clock.use_offset_file(settings.clock_offset_file)
        engine = make_engine(settings)
        if migrate:
            upgrade_to_head(engine)
        return cls(settings, engine)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read transaction. Reads of customer content leave access-trail records
        (services/trail.py), committed before the response but without waiting for the disk
        (that wait tripled a read's latency; a power cut can only lose the last read records,
        never break the chain): on PostgreSQL in the read's own transaction, on SQLite (whose
        reads cannot take the write lock) in one short write transaction after it."""
        # Not reset on exit: FastAPI may leave a dependency in another context than it entered.
        keyring.current.set(self.keyring)
        with session_scope(self.factory) as session:
            self._fresh_keys(session)
            yield session
            recording = self.settings.trail_enabled and session.info.get(TRAIL_PENDING)
            if recording and self._write_lock is None:
                session.connection().exec_driver_sql("SET LOCAL synchronous_commit = off")
                self._append_trail(session)
        if session.info.get(TRAIL_PENDING) and self.settings.trail_enabled:
            with self.write(relaxed=True) as writer:
                writer.info[TRAIL_PENDING] = session.info.pop(TRAIL_PENDING)

    @contextmanager
    def write(self, relaxed: bool = False) -> Iterator[Session]:
        """A write transaction, committed when the block exits without error. `relaxed`: the
        commit does not wait for the disk (only for the access-trail records of reads)."""
        keyring.current.set(self.keyring)
        if self._write_lock is None:
            with session_scope(self.factory, write=True, relaxed=relaxed) as session:
                self._fresh_keys(session)
                yield session
                self._append_trail(session)
            return
        with (
            self._write_lock,
            _file_lock(self._lock_path),
            session_scope(self.factory, write=True, relaxed=relaxed) as session,
        ):
            self._fresh_keys(session)
            yield session
            self._append_trail(session)

    def _append_trail(self, session: Session) -> None:
        """Access-trail records of this unit of work, in its transaction, just before the commit
        (the chain head stays locked for the shortest time)."""
        if not session.info.get(TRAIL_PENDING):
            return
        from labelworks.services import trail

        pending = trail.take_pending(session)
        if self.settings.trail_enabled:
            trail.append_pending(session, pending)

    def _fresh_keys(self, session: Session) -> None:
        if self.keyring.due():
            self.keyring.refresh(session.connection())


@contextmanager
def _file_lock(path: str | None) -> Iterator[None]:
    if path is None:
        yield
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock
