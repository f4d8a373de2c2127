"""Shared fixtures: real servers (`labelworks serve` in a subprocess) on real databases.

PostgreSQL tests use the server at 127.0.0.1:5432 with a fresh database per test run; when it is
not reachable they are skipped, and the skip reason says so in the test output.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

PG_ADMIN_URL = os.environ.get("LABELWORKS_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
BACKENDS = ["sqlite", "postgresql"]


def pg_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3):
            return True
    except Exception:
        return False


def create_pg_database() -> str:
    import psycopg

    name = f"lw_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name


def drop_pg_database(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cli(
    env: dict[str, str], *args: str, check: bool = True, input: str | None = None
) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "labelworks", *args],
        env=env,
        text=True,
        capture_output=True,
        input=input,
        timeout=120,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"labelworks {' '.join(args)} failed: {proc.stderr}")
    return proc


@dataclass
class Backend:
    name: str
    env: dict[str, str]
    database_url: str
    cleanup: list[str] = field(default_factory=list)
    _db: object = None

    @property
    def db(self):
        """The same database the servers use, opened in the test process."""
        if self._db is None:
            from labelworks.db.database import Database
            from labelworks.settings import Settings

            self._db = Database.open(
                Settings(
                    data_dir=Path(self.env["LABELWORKS_DATA_DIR"]), database_url=self.database_url
                )
            )
        return self._db

    def new_org(self, prefix: str = "org") -> tuple[str, str]:
        """A fresh org and its API key (in-process: the CLI contract has its own tests)."""
        from labelworks.services import orgs

        name = f"{prefix}-{uuid.uuid4().hex[:8]}"
        with self.db.write() as session:
            _, key = orgs.create_org(session, name)
        return name, key

    def dispose(self) -> None:
        if self._db is not None:
            self._db.engine.dispose()


def make_backend(name: str, tmp: Path) -> Backend:
    # Servers share a test database; only the delivery tests' servers (which set fast retries)
    # run callback delivery, so a default-settings server never claims their messages.
    env = {
        **os.environ,
        "LABELWORKS_DATA_DIR": str(tmp / "data"),
        "LABELWORKS_ALLOW_PRIVATE_URLS": "1",
        "LABELWORKS_DELIVERY_IN_SERVER": "0",
    }
    env.pop("LABELWORKS_DATABASE_URL", None)
    if name == "postgresql":
        if not pg_available():
            pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL}: PostgreSQL tests SKIPPED")
        db = create_pg_database()
        url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{db}"
        env["LABELWORKS_DATABASE_URL"] = url
        return Backend(name, env, url, cleanup=[db])
    return Backend(name, env, f"sqlite:///{tmp / 'data' / 'labelworks.db'}")


@dataclass
class Server:
    url: str
    backend: Backend
    process: subprocess.Popen[bytes]

    @property
    def v1(self) -> str:
        return f"{self.url}/v1"


def start_server(
    backend: Backend,
    workers: int = 1,
    extra_env: dict[str, str] | None = None,
    log: Path | None = None,
    start_seconds: float = 180,
) -> Server:
    port = free_port()
    env = {**backend.env, **(extra_env or {})}
    out = open(log, "wb") if log else subprocess.DEVNULL
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "labelworks",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        env=env,
        stdout=out,
        stderr=out,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + start_seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return Server(url, backend, proc)
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("server did not start")


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(10)
    except subprocess.TimeoutExpired:
        server.process.kill()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "ui_on_sqlite: a browser test whose database is incidental runs on SQLite only (the "
        "storage layer and the queue are tested on both databases by the API, workforce and "
        "security tests)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    dropped = [i for i in items if i.get_closest_marker("ui_on_sqlite") and "[postgresql" in i.name]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [i for i in items if i not in set(dropped)]


@pytest.fixture(scope="session", params=BACKENDS)
def backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Backend]:
    b = make_backend(request.param, tmp_path_factory.mktemp(request.param))
    yield b
    b.dispose()
    for db in b.cleanup:
        drop_pg_database(db)


@pytest.fixture(scope="session")
def server(backend: Backend, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    s = start_server(backend, log=tmp_path_factory.mktemp("log") / "server.log")
    yield s
    stop_server(s)


@pytest.fixture
def org(server: Server) -> tuple[str, str]:
    """A fresh org (name, api key) on the shared server."""
    return server.backend.new_org()


@pytest.fixture
def api(server: Server, org: tuple[str, str]) -> httpx.Client:
    with httpx.Client(base_url=server.v1, auth=(org[1], ""), timeout=30) as client:
        yield client


# --- the fast tier: the app in this process, no server, same real database ----------------------


@pytest.fixture(scope="session")
def app(backend: Backend):
    """`create_app` on the backend's database, served in-process (no socket, no subprocess)."""
    from labelworks.api.app import create_app
    from labelworks.settings import Settings

    settings = Settings(
        data_dir=Path(backend.env["LABELWORKS_DATA_DIR"]),
        database_url=backend.database_url,
        allow_private_urls=True,
        delivery_in_server=False,
    )
    return create_app(settings, backend.db)


@pytest.fixture(scope="session")
def app_client(app) -> Iterator[object]:
    """An unauthenticated in-process client; runs the app's lifespan once per session."""
    from starlette.testclient import TestClient

    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def inproc_api(app_client, backend: Backend) -> object:
    """An in-process client authenticated as a fresh org's API key, under `/v1`."""
    from starlette.testclient import TestClient

    _, key = backend.new_org()
    # The session client ran the lifespan; this one shares the app and only adds credentials.
    client = TestClient(
        app_client.app, base_url="http://testserver/v1", raise_server_exceptions=False
    )
    client.auth = (key, "")
    return client
