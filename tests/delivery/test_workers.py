"""Several workers, crashes and shutdowns: nothing is sent twice at once, nothing is lost."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter

import httpx
import pytest

from tests.conftest import drop_pg_database, make_backend, start_server, stop_server
from tests.delivery.conftest import (
    FAST,
    callback_succeeded,
    complete,
    create_tasks,
    new_org,
    open_db,
    wait_until,
)


def slow_ok(n: int) -> int:
    # Slow enough that one worker's 16 threads cannot keep up: both workers must claim, and
    # the window in which they could collide on a message is wide.
    time.sleep(0.05)
    return 200


def test_two_workers_never_send_one_message_concurrently(server, api, receiver, db, tmp_path):
    log = tmp_path / "worker.log"
    worker = subprocess.Popen(
        [sys.executable, "-m", "labelworks", "worker"],
        env={**server.backend.env, **FAST},
        stdout=subprocess.DEVNULL,
        stderr=open(log, "wb"),
    )
    try:
        wait_until(lambda: "started" in log.read_text(), what="the worker to start")
        url = receiver.url(slow_ok)
        task_ids = create_tasks(api, url, n=120)
        for start in range(0, len(task_ids), 30):
            complete(db, task_ids[start : start + 30])
        receiver.wait_for(url, len(task_ids), timeout=30)
        wait_until(lambda: all(callback_succeeded(api, t) for t in task_ids[-5:]))
        time.sleep(0.3)  # a duplicate would arrive now
        delivered = Counter(r.json["task_id"] for r in receiver.to(url))
        twice = [t for t, n in delivered.items() if n > 1]
        logs = [api.get(f"/task/{t}/deliveries").json() for t in twice]
        assert delivered == Counter(task_ids), logs  # each callback arrived exactly once
        assert receiver.overlaps_at(url) == []
    finally:
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(15) == 0  # a clean shutdown on SIGTERM
    stopped = re.search(r"stopped after (\d+) successful", log.read_text())
    assert stopped and int(stopped[1]) > 0  # the separate worker did its share


@pytest.fixture
def own_backend(backend, tmp_path):
    """A database of its own, so no other server's worker can rescue the killed delivery."""
    fresh = make_backend(backend.name, tmp_path)
    yield fresh
    for name in fresh.cleanup:
        drop_pg_database(name)


def test_server_killed_mid_delivery_delivers_after_restart(own_backend, receiver, tmp_path):
    release = threading.Event()

    def hang_on_first(n: int) -> int:
        if n == 1:
            release.wait(15)  # the server is killed while it waits for this answer
        return 200

    url = receiver.url(hang_on_first)
    env = {
        **FAST,
        "LABELWORKS_CALLBACK_TIMEOUT_SECONDS": "2",
        "LABELWORKS_DELIVERY_LEASE_SECONDS": "1",
    }  # lease: 2 * timeout + 1 = 5 s
    server = start_server(own_backend, extra_env=env, log=tmp_path / "first.log")
    db = open_db(own_backend)
    try:
        _, key = new_org(db)
        with httpx.Client(base_url=server.v1, auth=(key, ""), timeout=30) as api:
            [task_id] = create_tasks(api, url)
        complete(db, [task_id])
        receiver.wait_for(url, 1)  # the server is now waiting on the receiver's answer
        os.kill(server.process.pid, signal.SIGKILL)
        server.process.wait(10)
        server = start_server(own_backend, extra_env=env, log=tmp_path / "second.log")
        with httpx.Client(base_url=server.v1, auth=(key, ""), timeout=30) as api:
            wait_until(lambda: callback_succeeded(api, task_id) is True, timeout=30)
            [delivery] = api.get(f"/task/{task_id}/deliveries").json()["deliveries"]
        assert len(receiver.to(url)) == 2
        first, second = delivery["attempts"]
        assert first["status_code"] is None and first["error"].startswith("interrupted")
        assert second["status_code"] == 200 and delivery["status"] == "succeeded"
    finally:
        release.set()
        stop_server(server)
        db.engine.dispose()
