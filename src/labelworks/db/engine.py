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
# A write whose commit need not wait for the disk (the access-trail records of reads): a power
# cut may lose the last such commits, never leave the database inconsistent (WAL / PostgreSQL's
# log are written in order, so a later durable commit makes them durable too).
RELAXED = {"labelworks_write": True, "labelworks_relaxed": True}


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
        options = conn.get_execution_options()
        # synchronous is per connection and cannot change inside a transaction: set it before
        # BEGIN, only when this transaction wants another level than the connection's last one.
        want = "NORMAL" if options.get("labelworks_relaxed") else "FULL"
        if conn.info.get("synchronous", "FULL") != want:
            conn.exec_driver_sql(f"PRAGMA synchronous={want}")
            conn.info["synchronous"] = want
        conn.exec_driver_sql("BEGIN IMMEDIATE" if options.get("labelworks_write") else "BEGIN")


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def begin_write(session: Session, relaxed: bool = False) -> None:
    """Mark the session's transaction as a write (SQLite: take the write lock up front);
    `relaxed`: its commit does not wait for the disk (see RELAXED)."""
    conn = session.connection(execution_options=RELAXED if relaxed else WRITE)
    if relaxed and conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL synchronous_commit = off")


@contextmanager
def session_scope(
    factory: sessionmaker[Session], write: bool = False, relaxed: bool = False
) -> Iterator[Session]:
    session = factory()
    try:
        if write:
            begin_write(session, relaxed)
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
