"""The operator console's queries at scale: queue depth per org and project, the workforce table,
the labels-per-day chart and the delivery failures.

    python benchmarks/operator_console.py [--tasks 300000] [--labels 100000] [--people 200]
                                          [--backends sqlite,postgresql]

Seeds `--tasks` tasks (two thirds pending) across 3 orgs x 2 projects, `--labels` submitted label
assignments spread over the last 14 days among `--people` annotators, directly into the database;
then times each console query (median and max of 5 runs, in-process, warm).
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import insert, select

sys.path.insert(0, str(Path(__file__).parent))
from _harness import drop_pg, fresh_env


def seed(db, tasks: int, labels: int, people: int) -> None:
    from seed_tasks import bulk_insert_tasks

    from labelworks.db.tables import Assignment, Task
    from labelworks.services import orgs, projects, users
    from labelworks.services.scope import Principal

    per_org = tasks // 3
    for n in range(3):
        with db.write() as session:
            org, _ = orgs.create_org(session, f"customer-{n}")
            principal = Principal(org.id, org.name)
            ids = [
                projects.create_project(
                    session,
                    principal,
                    {"name": f"p{k}", "type": "categorization", "params": {"categories": ["a"]}},
                ).id
                for k in range(2)
            ]
        bulk_insert_tasks(db, principal, ids, per_org, open_slots=1, first_seq=n * per_org)
    with db.write() as session:
        user_ids = []
        for i in range(people):
            user = users.create_user(session, f"a{i:04d}@bench.local", "annotator", None)
            session.flush()
            user_ids.append(user.id)
        tasks_rows = session.execute(
            select(Task.seq, Task.org_id, Task.project_id).order_by(Task.seq).limit(labels)
        ).all()
    now = dt.datetime.now(dt.UTC)
    rows = []
    for i, (seq, org_id, project_id) in enumerate(tasks_rows):
        submitted = now - dt.timedelta(seconds=(i * 14 * 86400) // max(len(tasks_rows), 1))
        rows.append(
            {
                "task_seq": seq,
                "org_id": org_id,
                "project_id": project_id,
                "user_id": user_ids[i % people],
                "stage": "label",
                "status": "accepted",
                "task_kind": "task",
                "round": 0,
                "lease_expires_at": submitted + dt.timedelta(minutes=5),
                "created_at": submitted - dt.timedelta(minutes=1),
                "submitted_at": submitted,
            }
        )
    with db.engine.begin() as conn:
        for start in range(0, len(rows), 20000):
            conn.execute(insert(Assignment.__table__), rows[start : start + 20000])
        conn.exec_driver_sql("ANALYZE")


def read(db, fn):
    def run():
        with db.read() as session:
            return fn(session)

    return run


def timed(fn) -> tuple[float, float]:
    runs = []
    for _ in range(5):
        began = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - began)
    return statistics.median(runs) * 1e3, max(runs) * 1e3


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tasks", type=int, default=300_000)
    ap.add_argument("--labels", type=int, default=100_000)
    ap.add_argument("--people", type=int, default=200)
    ap.add_argument("--backends", default="sqlite,postgresql")
    args = ap.parse_args()

    from labelworks.db.database import Database
    from labelworks.services import operator_views
    from labelworks.services.delivery import log
    from labelworks.settings import Settings

    for backend in args.backends.split(","):
        env, url, pg = fresh_env(backend)
        try:
            db = Database.open(
                Settings(data_dir=Path(env["LABELWORKS_DATA_DIR"]), database_url=url)
            )
            began = time.perf_counter()
            seed(db, args.tasks, args.labels, args.people)
            print(
                f"{backend}: seeded {args.tasks} tasks, {args.labels} labels, {args.people} "
                f"people in {time.perf_counter() - began:.0f} s",
                flush=True,
            )

            for name, fn in (
                ("queue depth", operator_views.queue_depth),
                ("workforce table", operator_views.workforce),
                ("labels per day (14 d)", operator_views.labels_per_day),
                ("delivery failures", log.failing_deliveries),
            ):
                p50, worst = timed(read(db, fn))
                print(f"{backend:10s} {name:24s} median {p50:8.1f} ms  max {worst:8.1f} ms")
            db.engine.dispose()
        finally:
            drop_pg(pg)


if __name__ == "__main__":
    main()
