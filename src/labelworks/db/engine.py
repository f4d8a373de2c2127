"""Engine and sessions for SQLite (embedded default) and PostgreSQL (psycopg 3).

SQLite: WAL, a busy timeout and foreign keys on every connection. Write transactions start with
`BEGIN IMMEDIATE` so two writers queue on the busy timeout instead of failing on a lock upgrade;
read transactions stay deferred and never block writers (WAL).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from labelworks.settings import Settings

WRITE = {"labelworks_write": True}


def make_engine(settings: Settings) -> Engine:
    url = settings.resolved_database_url
    if url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"timeout": 30, "check_same_thread": False},
            pool_size=20,
            max_overflow=20,
        )
        _configure_sqlite(engine)
        return engine
    # Several server processes share PostgreSQL's 100 connections.
    return create_engine(url, pool_size=10, max_overflow=5, pool_pre_ping=True)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves, below
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")  # an acknowledged write survives power loss too
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get("labelworks_write")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def begin_write(session: Session) -> None:
    """Mark the session's transaction as a write (SQLite: take the write lock up front)."""
    session.connection(execution_options=WRITE)


@contextmanager
def session_scope(factory: sessionmaker[Session], write: bool = False) -> Iterator[Session]:
    session = factory()
    try:
        if write:
            begin_write(session)
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
