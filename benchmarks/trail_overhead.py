"""What the access trail costs: task create, get, list and next+submit with the trail on vs off.

    python benchmarks/trail_overhead.py [--rounds 5] [--n 40] [--backends sqlite,postgresql]

Two servers run side by side on fresh databases, one with `LABELWORKS_TRAIL_ENABLED=0` (the
setting exists only for this comparison); requests alternate between them so background load
hits both alike. One keep-alive client, one request at a time: the figure is per-request latency
(median and p90 over all rounds), and the overhead of the trail on each operation.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from _harness import drop_pg, fresh_env, median, new_org, pct, serve_labelworks

PASSWORD = "bench password 1"
BODY = {
    "project": "bench",
    "instruction": "pick one",
    "attachment": "some text to label",
    "attachment_type": "text",
    "categories": ["a", "b"],
}
OPS = ("create", "get", "list", "next+submit")


class Side:
    """One server (trail on or off), its org's key and an annotator's token."""

    def __init__(self, backend: str, trail: bool) -> None:
        self.env, _, self.pg = fresh_env(backend)
        self.env["LABELWORKS_TRAIL_ENABLED"] = "1" if trail else "0"
        self.env["LABELWORKS_DELIVERY_IN_SERVER"] = "0"
        key = new_org(self.env)
        email = f"ann-{uuid.uuid4().hex[:6]}@example.com"
        subprocess.run(
            [sys.executable, "-m", "labelworks", "user", "create", email,
             "--role", "annotator", "--password", PASSWORD],
            env=self.env, check=True, capture_output=True,
        )  # fmt: skip
        self.server = serve_labelworks(self.env, 1)
        self.api = httpx.Client(base_url=self.server.url + "/v1", auth=(key, ""), timeout=60)
        self.api.post("/projects", json={"name": "bench", "type": "categorization"})
        token = httpx.post(
            self.server.url + "/auth/login", json={"email": email, "password": PASSWORD}
        ).json()["token"]
        self.work = httpx.Client(
            base_url=self.server.url, headers={"Authorization": f"Bearer {token}"}, timeout=60
        )
        self.task_ids: list[str] = []
        self.times: dict[str, list[float]] = {op: [] for op in OPS}

    def step(self, op: str, i: int) -> None:
        if op == "create":
            self._timed(op, self._create)
        elif op == "get":
            task_id = self.task_ids[i % len(self.task_ids)]
            self._timed(op, lambda: self.api.get(f"/task/{task_id}"))
        elif op == "list":
            self._timed(op, lambda: self.api.get("/tasks", params={"limit": 100}))
        else:
            self._timed(op, self._next_submit)

    def _create(self) -> httpx.Response:
        r = self.api.post("/task/categorization", json=BODY)
        self.task_ids.append(r.json()["task_id"])
        return r

    def _next_submit(self) -> httpx.Response:
        lease = self.work.post("/work/next", json={"project": "bench"})
        assert lease.status_code == 200, lease.text
        return self.work.post(
            f"/work/assignments/{lease.json()['assignment_id']}/submit",
            json={"response": {"category": "a"}},
        )

    def _timed(self, op: str, call) -> None:  # type: ignore[no-untyped-def]
        t0 = time.perf_counter()
        r = call()
        self.times[op].append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 200, r.text

    def close(self) -> None:
        self.api.close()
        self.work.close()
        self.server.stop()
        drop_pg(self.pg)


def run(backend: str, rounds: int, n: int) -> None:
    off, on = Side(backend, trail=False), Side(backend, trail=True)
    try:
        for side in (off, on):  # warm up: imports, caches, first appends
            for op in OPS:
                for i in range(3):
                    side.step(op, i)
            side.times = {op: [] for op in OPS}
        # Request by request, alternating which side goes first: the load of the machine
        # (shared with other work) falls on both alike.
        for _ in range(rounds):
            for op in OPS:
                for i in range(n):
                    for side in (off, on) if i % 2 else (on, off):
                        side.step(op, i)
        print(f"\n{backend}: {rounds} rounds x {n} requests each, one client")
        print(
            f"{'operation':<12} {'off p50':>8} {'on p50':>8} {'off p90':>8} {'on p90':>8}  overhead"
        )
        for op in OPS:
            a, b = off.times[op], on.times[op]
            extra = (median(b) / median(a) - 1) * 100
            print(
                f"{op:<12} {median(a):>7.2f}ms {median(b):>6.2f}ms "
                f"{pct(a, 90):>6.2f}ms {pct(b, 90):>6.2f}ms  {extra:+.1f} %"
            )
    finally:
        off.close()
        on.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--n", type=int, default=40)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    for backend in args.backends.split(","):
        run(backend, args.rounds, args.n)


if __name__ == "__main__":
    main()
