"""The cost of encryption at rest: the same operations with it on and off, in one process.

    python benchmarks/crypto_overhead.py [--backends sqlite,postgresql] [--n 300] [--rounds 5]

Two databases per backend, one opened with encryption on and one with `LABELWORKS_ENCRYPTION=off`
(content written as plain JSON), each behind the app served in process (Starlette's TestClient:
the whole request path, no socket). Rounds alternate between them so background load hits both
alike. Per operation: the median of per-round medians (ms) and the overhead in %: task create
(POST /v1/task/categorization), get (GET /v1/task/{id}), list (GET /v1/tasks, 100 a page), next+
submit (an annotator, POST /work/next then submit) and export (all tasks, jsonl).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _harness import drop_pg, fresh_env

PASSWORD = "benchmark-password"
OPS = ("create", "get", "list", "next+submit", "export")


class Side:
    """One database and app: encryption on or off."""

    def __init__(self, backend: str, encryption: bool) -> None:
        from starlette.testclient import TestClient

        from labelworks.api.app import create_app
        from labelworks.db.database import Database
        from labelworks.services import orgs, projects, users
        from labelworks.services.scope import Principal
        from labelworks.settings import Settings

        _env, self.url, self.pg = fresh_env(backend)
        data = Path(tempfile.mkdtemp(prefix="crypto-bench-"))
        settings = Settings(
            data_dir=data, database_url=self.url, encryption=encryption, delivery_in_server=False
        )
        self.db = Database.open(settings)
        with self.db.write() as session:
            org, key = orgs.create_org(session, f"bench-{uuid.uuid4().hex[:6]}")
            self.principal = Principal(org.id, org.name)
            projects.create_project(
                session,
                self.principal,
                {"name": "bench", "type": "categorization", "params": {"categories": ["a", "b"]}},
            )
            users.create_user(session, "a@bench.local", "annotator", PASSWORD)
        self.client = TestClient(create_app(settings, self.db))
        self.client.__enter__()
        self.api = {"auth": (key, "")}
        token = self.client.post(
            "/auth/login", json={"email": "a@bench.local", "password": PASSWORD}
        ).json()["token"]
        self.worker = {"headers": {"Authorization": f"Bearer {token}"}}
        self.ids: list[str] = []

    def run(self, op: str, n: int) -> list[float]:
        c, out = self.client, []
        for i in range(n if op != "export" else max(1, n // 100)):
            t0 = time.perf_counter()
            if op == "create":
                r = c.post("/v1/task/categorization", json=_body(len(self.ids)), **self.api)
                self.ids.append(r.json()["task_id"])
            elif op == "get":
                r = c.get(f"/v1/task/{self.ids[i % len(self.ids)]}", **self.api)
            elif op == "list":
                r = c.get("/v1/tasks", params={"limit": 100}, **self.api)
            elif op == "next+submit":
                r = c.post("/work/next", json={}, **self.worker)
                if r.status_code == 200:
                    r = c.post(
                        f"/work/assignments/{r.json()['assignment_id']}/submit",
                        json={"response": {"category": "a"}},
                        **self.worker,
                    )
            else:
                r = c.get("/v1/projects/bench/export", params={"format": "jsonl",
                          "include_pending": "true"}, **self.api)  # fmt: skip
            out.append(time.perf_counter() - t0)
            if r.status_code not in (200, 204):
                raise SystemExit(f"{op}: HTTP {r.status_code} {r.text[:200]}")
        return out

    def close(self) -> None:
        self.client.__exit__(None, None, None)
        self.db.engine.dispose()
        drop_pg(self.pg)


def _body(i: int) -> dict[str, object]:
    return {
        "project": "bench",
        "instruction": "Pick the category that fits the text best.",
        "attachment": f"Text number {i}: " + "lorem ipsum dolor sit amet " * 8,
        "attachment_type": "text",
        "metadata": {"source": "bench", "row": i, "customer_ref": f"ref-{i:06d}"},
        "unique_id": f"u-{i}",
        "tags": ["bench", f"t{i % 10}"],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    for backend in args.backends.split(","):
        sides = {"off": Side(backend, False), "on": Side(backend, True)}
        medians: dict[tuple[str, str], list[float]] = {}
        for _ in range(args.rounds):
            for op in OPS:
                for mode, side in sides.items():
                    times = side.run(op, args.n)
                    medians.setdefault((mode, op), []).append(statistics.median(times))
        for op in OPS:
            off = statistics.median(medians[("off", op)]) * 1e3
            on = statistics.median(medians[("on", op)]) * 1e3
            print(
                f"{backend:10s} {op:12s} off {off:7.2f} ms  on {on:7.2f} ms  "
                f"overhead {100 * (on - off) / off:+5.1f} %",
                flush=True,
            )
        for side in sides.values():
            side.close()


if __name__ == "__main__":
    main()
