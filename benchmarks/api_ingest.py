"""Create tasks through the HTTP API from client threads, then walk them with next_token.

    python benchmarks/api_ingest.py [--n 20000] [--threads 8] [--backends sqlite,postgresql]
                                    [--workers 1,4] [--seed 1000000]

Prints tasks/s and p50/p99 create latency, list pages/s, the empty-endpoint baseline, and the
time of one filtered page of 100 at `--seed` tasks (seeded directly into the database).
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from _harness import (
    drop_pg,
    fresh_env,
    median,
    new_org,
    pct,
    serve_labelworks,
    start,
)

BODY = {
    "project": "bench",
    "attachment": "https://example.com/img.png",
    "attachment_type": "image",
    "metadata": {"source": "bench"},
}


def hammer(
    url: str, auth: tuple[str, str] | None, n: int, threads: int
) -> tuple[float, list[float]]:
    """Keep-alive POSTs with the standard library's http.client: a light load generator, so the
    server (not the client) is what gets measured; the baseline uses the same one."""
    latencies: list[float] = []
    lock = threading.Lock()
    per = n // threads
    parts = urlsplit(url)
    headers = {"Content-Type": "application/json"}
    if auth:
        headers["Authorization"] = "Basic " + base64.b64encode(f"{auth[0]}:".encode()).decode()

    def worker(t: int) -> None:
        mine = []
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        for i in range(per):
            body = json.dumps({**BODY, "unique_id": f"t{t}-{i}"})
            start_ = time.perf_counter()
            conn.request("POST", "/v1/task/categorization", body=body, headers=headers)
            response = conn.getresponse()
            payload = response.read()
            mine.append(time.perf_counter() - start_)
            if response.status != 200:
                raise RuntimeError(payload[:300])
        conn.close()
        with lock:
            latencies.extend(mine)

    began = time.perf_counter()
    pool = [threading.Thread(target=worker, args=(t,)) for t in range(threads)]
    for th in pool:
        th.start()
    for th in pool:
        th.join()
    return per * threads / (time.perf_counter() - began), latencies


def walk(url: str, auth: tuple[str, str]) -> tuple[int, float]:
    pages, seen, token = 0, 0, None
    began = time.perf_counter()
    with httpx.Client(auth=auth, timeout=60) as client:
        while True:
            params = {"project": "bench", "limit": 100}
            if token:
                params["next_token"] = token
            page = client.get(f"{url}/v1/tasks", params=params).json()
            pages += 1
            seen += len(page["docs"])
            token = page.get("next_token")
            if not page["has_more"]:
                break
    return seen, pages / (time.perf_counter() - began)


def baseline(threads: int, n: int) -> float:
    env, _, _ = fresh_env("sqlite")
    run = start(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--app-dir",
            str(Path(__file__).parent),
            "_empty_app:app",
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env,
    )
    try:
        rate, _ = hammer(run.url, None, n, threads)
    finally:
        run.stop()
    return rate


def ingest(backend: str, workers: int, n: int, threads: int) -> None:
    env, _, pg = fresh_env(backend)
    run = serve_labelworks(env, workers)
    try:
        key = new_org(env)
        auth = (key, "")
        httpx.post(
            f"{run.url}/v1/projects",
            auth=auth,
            json={
                "name": "bench",
                "type": "categorization",
                "params": {"categories": ["a", "b", "c"]},
            },
        ).raise_for_status()
        rate, lat = hammer(run.url, auth, n, threads)
        seen, pages_s = walk(run.url, auth)
        assert seen == n, (seen, n)
        print(
            f"{backend:10s} workers={workers}  create {rate:7.0f} tasks/s  "
            f"p50 {pct(lat, 50) * 1000:6.1f} ms  p99 {pct(lat, 99) * 1000:6.1f} ms  "
            f"list {pages_s:6.1f} pages/s ({seen} tasks walked exactly once)",
            flush=True,
        )
    finally:
        run.stop()
        drop_pg(pg)


def seeded_page(backend: str, total: int) -> None:
    """Seed `total` tasks across 10 projects straight into the database, then time a page."""
    from seed_tasks import bulk_insert_tasks

    from labelworks.db.database import Database
    from labelworks.services import orgs, projects
    from labelworks.services.scope import Principal
    from labelworks.settings import Settings

    env, url, pg = fresh_env(backend)
    settings = Settings(data_dir=Path(env["LABELWORKS_DATA_DIR"]), database_url=url)
    db = Database.open(settings)
    with db.write() as session:
        org, key = orgs.create_org(session, "seeded")
        principal = Principal(org.id, org.name)
        ids = [
            projects.create_project(
                session,
                principal,
                {"name": f"p{i}", "type": "categorization", "params": {"categories": ["a", "b"]}},
            ).id
            for i in range(10)
        ]
    began = time.perf_counter()
    bulk_insert_tasks(db, principal, ids, total)
    print(f"{backend:10s} seeded {total} tasks in {time.perf_counter() - began:.1f} s", flush=True)
    db.engine.dispose()
    run = serve_labelworks(env, 1)
    try:
        with httpx.Client(auth=(key, ""), timeout=60) as client:
            for label, params in (
                ("project+status", {"project": "p3", "status": "pending", "limit": 100}),
                ("all tasks", {"limit": 100}),
                ("tags", {"tags": "t7", "limit": 100}),
            ):
                times = []
                token = None
                for _ in range(20):
                    p = dict(params)
                    if token:
                        p["next_token"] = token
                    began = time.perf_counter()
                    page = client.get(f"{run.url}/v1/tasks", params=p).json()
                    times.append(time.perf_counter() - began)
                    token = page.get("next_token")
                print(
                    f"{backend:10s} {total} tasks, page of 100 ({label}, total={page['total']}):"
                    f" median {median(times) * 1000:.1f} ms, p99 {pct(times, 99) * 1000:.1f} ms",
                    flush=True,
                )
    finally:
        run.stop()
        drop_pg(pg)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=20000)
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--backends", default="sqlite,postgresql")
    ap.add_argument("--workers", default="1,4")
    ap.add_argument("--seed", type=int, default=1_000_000)
    args = ap.parse_args()
    base = baseline(args.threads, args.n // 2)
    print(f"baseline: empty FastAPI endpoint, uvicorn 1 worker: {base:.0f} req/s", flush=True)
    for backend in args.backends.split(","):
        for w in args.workers.split(","):
            ingest(backend, int(w), args.n, args.threads)
    if args.seed:
        for backend in args.backends.split(","):
            seeded_page(backend, args.seed)


if __name__ == "__main__":
    main()
