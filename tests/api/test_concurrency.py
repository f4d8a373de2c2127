"""Idempotency under concurrency, durability across SIGKILL, and rate limiting."""

from __future__ import annotations

import signal
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.conftest import start_server, stop_server


def test_twenty_threads_same_unique_id_make_exactly_one_task(server, api, org):
    api.post(
        "/projects",
        json={"name": "p", "type": "categorization", "params": {"categories": ["a", "b"]}},
    ).raise_for_status()

    def create(_: int) -> httpx.Response:
        return httpx.post(
            f"{server.v1}/task/categorization",
            auth=(org[1], ""),
            timeout=60,
            json={"project": "p", "attachment": "https://e.com/a.png", "unique_id": "same"},
        )

    with ThreadPoolExecutor(20) as pool:
        results = list(pool.map(create, range(20)))
    statuses = sorted(r.status_code for r in results)
    assert statuses == [200] + [409] * 19, statuses
    winner = next(r for r in results if r.status_code == 200).json()["task_id"]
    assert all(winner in r.json()["error"] for r in results if r.status_code == 409)
    listed = api.get("/tasks", params={"unique_id": "same"}).json()
    assert listed["total"] == 1 and listed["docs"][0]["task_id"] == winner


def test_acknowledged_writes_survive_sigkill(backend, tmp_path):
    server = start_server(backend)
    _, key = backend.new_org()
    auth = (key, "")
    httpx.post(
        f"{server.v1}/projects",
        auth=auth,
        json={"name": "p", "type": "categorization", "params": {"categories": ["a"]}},
    ).raise_for_status()
    ids = [
        httpx.post(
            f"{server.v1}/task/categorization",
            auth=auth,
            json={"project": "p", "attachment": f"https://e.com/{i}.png"},
        ).json()["task_id"]
        for i in range(20)
    ]
    server.process.send_signal(signal.SIGKILL)
    server.process.wait()
    again = start_server(backend)
    try:
        for task_id in ids:
            assert httpx.get(f"{again.v1}/task/{task_id}", auth=auth).status_code == 200
    finally:
        stop_server(again)


def test_rate_limit_gives_429(backend):
    server = start_server(
        backend,
        extra_env={"LABELWORKS_RATE_LIMIT_PER_SECOND": "1", "LABELWORKS_RATE_LIMIT_BURST": "5"},
    )
    try:
        _, key = backend.new_org()
        codes = [httpx.get(f"{server.v1}/projects", auth=(key, "")).status_code for _ in range(12)]
        assert codes[:5] == [200] * 5 and 429 in codes[5:]
        r = httpx.get(f"{server.v1}/projects", auth=(key, ""))
        if r.status_code == 429:
            assert r.json()["error"].startswith("rate limit")
    finally:
        stop_server(server)
