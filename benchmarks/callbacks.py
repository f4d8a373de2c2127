"""Callback delivery throughput: N completed tasks delivered to a loopback receiver.

    python benchmarks/callbacks.py [--n 10000] [--backends sqlite,postgresql]
                                   [--workers 1] [--concurrency 16]

Seeds N tasks with a callback_url, completes them with `complete_task` (each completion writes
its outbox row), then starts `labelworks worker` process(es) and times the deliveries from the
first to the last request the receiver sees. Prints deliveries/s, the completion rate, the
send latency (p50/p99 from the delivery log) and the duplicates seen by the receiver.
"""

from __future__ import annotations

import sys
from pathlib import Path

# This script's directory holds a `queue.py` that would shadow the standard library's `queue`
# (psycopg, concurrent.futures); keep it off the import path and load the harness by file.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]

import argparse
import importlib.util
import os
import platform
import subprocess
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

_spec = importlib.util.spec_from_file_location("_harness", HERE / "_harness.py")
assert _spec and _spec.loader
_harness = sys.modules["_harness"] = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_harness)
drop_pg, fresh_env, pct = _harness.drop_pg, _harness.fresh_env, _harness.pct


class Receiver(ThreadingHTTPServer):
    request_queue_size = 512
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.lock = threading.Lock()
        self.seen: Counter[str] = Counter()
        self.first = self.last = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/callback"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real receivers do

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", 0)))
        server: Receiver = self.server  # type: ignore[assignment]
        now = time.perf_counter()
        with server.lock:
            server.seen[self.headers.get("labelworks-delivery", "")] += 1
            server.first = server.first or now
            server.last = now
        self.send_response(200)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def seed(env: dict[str, str], n: int, callback_url: str) -> float:
    """Create n tasks, then complete them; returns completions/s."""
    from sqlalchemy import select

    from labelworks.db.database import Database
    from labelworks.db.tables import Task
    from labelworks.services.completion import complete_task
    from labelworks.services.orgs import create_org
    from labelworks.services.projects import create_project
    from labelworks.services.scope import Principal
    from labelworks.services.tasks import create_task
    from labelworks.settings import Settings

    db = Database.open(
        Settings(
            data_dir=Path(env["LABELWORKS_DATA_DIR"]),
            database_url=env.get("LABELWORKS_DATABASE_URL"),
        )
    )
    with db.write() as session:
        org, _ = create_org(session, "bench")
        principal = Principal(org.id, org.name)
        create_project(
            session,
            principal,
            {"name": "bench", "type": "categorization", "params": {"categories": ["a", "b"]}},
        )
    body = {
        "project": "bench",
        "attachment": "https://example.com/a.png",
        "callback_url": callback_url,
    }
    for start in range(0, n, 1000):
        with db.write() as session:
            for _ in range(start, min(n, start + 1000)):
                create_task(session, principal, "categorization", body)
    began = time.perf_counter()
    chunk = 200
    for _ in range(0, n, chunk):
        with db.write() as session:
            tasks = session.scalars(
                select(Task)
                .where(Task.status == "pending")
                .order_by(Task.seq)
                .limit(chunk)
                .with_for_update()
            )
            for task in tasks:
                complete_task(session, task, {"category": "a"})
    rate = n / (time.perf_counter() - began)
    db.engine.dispose()
    return rate


def latencies(env: dict[str, str]) -> list[float]:
    from sqlalchemy import select

    from labelworks.db.database import Database
    from labelworks.db.tables import DeliveryAttempt
    from labelworks.settings import Settings

    db = Database.open(
        Settings(
            data_dir=Path(env["LABELWORKS_DATA_DIR"]),
            database_url=env.get("LABELWORKS_DATABASE_URL"),
        ),
        migrate=False,
    )
    with db.read() as session:
        values = list(session.scalars(select(DeliveryAttempt.duration_ms)))
    db.engine.dispose()
    return [v for v in values if v is not None]


def run(backend: str, n: int, workers: int, concurrency: int) -> None:
    env, _, pg_name = fresh_env(backend)
    receiver = Receiver()
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    procs: list[subprocess.Popen[bytes]] = []
    try:
        completions = seed(env, n, receiver.url)
        env = {
            **env,
            "LABELWORKS_DELIVERY_CONCURRENCY": str(concurrency),
            "LABELWORKS_DELIVERY_POLL_SECONDS": "0.1",
        }
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "labelworks", "worker"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for _ in range(workers)
        ]
        deadline = time.monotonic() + 600
        while sum(receiver.seen.values()) < n and time.monotonic() < deadline:
            time.sleep(0.05)
        delivered = sum(receiver.seen.values())
        elapsed = receiver.last - receiver.first
        time.sleep(1.0)  # let the workers record the last results
        lat = latencies(env)
        dupes = sum(c - 1 for c in receiver.seen.values() if c > 1)
        print(
            f"{backend:10s} workers={workers} concurrency={concurrency}: "
            f"{delivered} deliveries in {elapsed:.1f} s = {delivered / elapsed:,.0f} deliveries/s"
            f"  | completions {completions:,.0f}/s | send p50 {pct(lat, 50):.1f} ms "
            f"p99 {pct(lat, 99):.1f} ms | duplicates {dupes}",
            flush=True,
        )
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(30)
        receiver.shutdown()
        drop_pg(pg_name)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--workers", default="1")
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    print("command: python benchmarks/callbacks.py " + " ".join(sys.argv[1:]))
    print(
        f"machine: {platform.machine()} {os.cpu_count()} CPUs, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}",
        flush=True,
    )
    for backend in args.backends.split(","):
        for workers in (int(w) for w in args.workers.split(",")):
            run(backend, args.n, workers, args.concurrency)


if __name__ == "__main__":
    main()
