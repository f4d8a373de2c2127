"""Shared bits for benchmarks: start servers, fresh databases, timing summaries."""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fresh_env(backend: str) -> tuple[dict[str, str], str, str | None]:
    """-> (env, database_url, pg database name or None)."""
    data = Path(tempfile.mkdtemp(prefix="lw-bench-"))
    env = {**os.environ, "LABELWORKS_DATA_DIR": str(data), "LABELWORKS_ALLOW_PRIVATE_URLS": "1"}
    if backend == "postgresql":
        import psycopg

        name = f"lw_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
        env["LABELWORKS_DATABASE_URL"] = url
        return env, url, name
    env.pop("LABELWORKS_DATABASE_URL", None)
    return env, f"sqlite:///{data / 'labelworks.db'}", None


def drop_pg(name: str | None) -> None:
    if name:
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Running:
    url: str
    process: subprocess.Popen[bytes]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start(cmd: list[str], env: dict[str, str], health: str = "/healthz") -> Running:
    port = free_port()
    proc = subprocess.Popen(
        [*cmd, "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(url + health, timeout=1).status_code == 200:
                return Running(url, proc)
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"{cmd} did not start")


def serve_labelworks(env: dict[str, str], workers: int) -> Running:
    return start(
        [
            sys.executable,
            "-m",
            "labelworks",
            "serve",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        env,
    )


def new_org(env: dict[str, str]) -> str:
    out = subprocess.run(
        [sys.executable, "-m", "labelworks", "org", "create", f"bench-{uuid.uuid4().hex[:6]}"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return out.strip().splitlines()[-1]


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


def median(values: list[float]) -> float:
    return statistics.median(values)


def peak_rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")
