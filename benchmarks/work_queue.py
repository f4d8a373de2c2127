"""The work queue under load: next+submit over HTTP against `labelworks serve --workers 2`.

(Named work_queue.py, not queue.py: a `queue.py` here would shadow the standard library's
`queue` for every script in this folder.)

    python benchmarks/work_queue.py [--pending 1000000] [--annotators 1,16,64] [--seconds 20]
                               [--backends postgresql,sqlite]

Seeds `--pending` tasks across 3 orgs directly into the database, then for each annotator count
runs that many simulated annotators (threads, one login each) for `--seconds`, and prints the
p50/p99 latency of `next` and `submit`, labels/s, and the number of double assignments found in
the database afterwards (must be 0).
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from _harness import drop_pg, fresh_env, pct, serve_labelworks

PASSWORD = "benchmark-password"


def seed(env: dict[str, str], url: str, pending: int, annotators: int) -> None:
    from seed_tasks import bulk_insert_tasks

    from labelworks.db.database import Database
    from labelworks.services import orgs, projects, users
    from labelworks.services.scope import Principal
    from labelworks.settings import Settings

    db = Database.open(Settings(data_dir=Path(env["LABELWORKS_DATA_DIR"]), database_url=url))
    began = time.perf_counter()
    per_org = pending // 3
    for n in range(3):
        with db.write() as session:
            org, _ = orgs.create_org(session, f"customer-{n}")
            principal = Principal(org.id, org.name)
            ids = [
                projects.create_project(
                    session,
                    principal,
                    {
                        "name": f"p{k}",
                        "type": "categorization",
                        "params": {"categories": ["a", "b"]},
                    },
                ).id
                for k in range(2)
            ]
        bulk_insert_tasks(
            db, principal, ids, per_org, status_every=0, open_slots=1, first_seq=n * per_org
        )
    from labelworks.services.users import hash_password

    hashed = hash_password(PASSWORD)
    with db.write() as session:
        for i in range(annotators):
            user = users.create_user(session, f"a{i}@bench.local", "annotator", None)
            user.password_hash = hashed
    print(
        f"seeded {per_org * 3} pending tasks in 3 orgs in {time.perf_counter() - began:.0f} s",
        flush=True,
    )
    db.engine.dispose()


def run(url: str, n: int, seconds: float) -> tuple[list[float], list[float], int, int]:
    nexts: list[float] = []
    submits: list[float] = []
    lock = threading.Lock()
    errors = [0]
    # Log everyone in first: argon2 is slow on purpose and is not what is measured.
    tokens = [
        httpx.post(
            f"{url}/auth/login",
            json={"email": f"a{i}@bench.local", "password": PASSWORD},
            timeout=60,
        ).json()["token"]
        for i in range(n)
    ]
    stop = time.monotonic() + seconds

    def annotator(i: int) -> None:
        token = tokens[i]
        my_n, my_s = [], []
        with httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=60
        ) as c:
            while time.monotonic() < stop:
                t0 = time.perf_counter()
                r = c.post("/work/next", json={})
                t1 = time.perf_counter()
                if r.status_code != 200:
                    errors[0] += 1
                    continue
                s = c.post(
                    f"/work/assignments/{r.json()['assignment_id']}/submit",
                    json={"response": {"category": "a"}},
                )
                t2 = time.perf_counter()
                if s.status_code != 200:
                    errors[0] += 1
                my_n.append(t1 - t0)
                my_s.append(t2 - t1)
        with lock:
            nexts.extend(my_n)
            submits.extend(my_s)

    threads = [threading.Thread(target=annotator, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return nexts, submits, len(submits), errors[0]


def doubles(env: dict[str, str], url: str) -> tuple[int, int]:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        dup = conn.execute(
            text(
                "SELECT count(*) FROM (SELECT task_seq FROM assignments WHERE stage='label' "
                "AND status IN ('submitted','accepted','leased') GROUP BY task_seq "
                "HAVING count(*) > 1) d"
            )
        ).scalar_one()
        total = conn.execute(text("SELECT count(*) FROM assignments")).scalar_one()
    engine.dispose()
    return dup, total


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pending", type=int, default=1_000_000)
    ap.add_argument("--annotators", default="1,16,64")
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--backends", default="postgresql,sqlite")
    args = ap.parse_args()
    counts = [int(x) for x in args.annotators.split(",")]
    for backend in args.backends.split(","):
        env, url, pg = fresh_env(backend)
        try:
            seed(env, url, args.pending, max(counts))
            server = serve_labelworks(env, 2)
            try:
                for n in counts:
                    nexts, submits, labels, errors = run(server.url, n, args.seconds)
                    print(
                        f"{backend:10s} annotators={n:3d}  next p50 {pct(nexts, 50) * 1e3:6.1f} ms"
                        f"  p99 {pct(nexts, 99) * 1e3:6.1f} ms  submit p50 "
                        f"{pct(submits, 50) * 1e3:6.1f} ms  p99 {pct(submits, 99) * 1e3:6.1f} ms  "
                        f"{labels / args.seconds:7.1f} labels/s  errors {errors}",
                        flush=True,
                    )
            finally:
                server.stop()
            dup, total = doubles(env, url)
            print(f"{backend:10s} double assignments: {dup} (of {total} assignments)", flush=True)
        finally:
            drop_pg(pg)


if __name__ == "__main__":
    main()
