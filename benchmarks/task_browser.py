"""The customer's task browser and task page at a large org, on SQLite.

    python benchmarks/task_browser.py [--tasks 1000000] [--repeat 15] [--reuse DATA_DIR]

Seeds `--tasks` tasks straight into the database (10 projects, a third completed), starts
`labelworks serve`, signs a customer manager in with the cookie session, then times (server round
trip on localhost, so an upper bound of server time): the first page of `/tasks` unfiltered,
filtered by project + status, by tag, the next page, and a task page (`/tasks/{id}`).
Goal (issue 12): the browser's first page < 300 ms at 1M tasks. `--reuse` times an earlier
run's seeded data directory again (printed at the start) instead of seeding anew.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from _harness import fresh_env, median, pct, serve_labelworks

PASSWORD = "benchmark password"


def seed(total: int) -> tuple[dict[str, str], str, str]:
    """-> (env, the customer's email, a completed task's id)."""
    from seed_tasks import bulk_insert_tasks
    from sqlalchemy import select

    from labelworks.db.database import Database
    from labelworks.db.tables import Task, TeamMember
    from labelworks.services import orgs, projects, users
    from labelworks.services.scope import Principal
    from labelworks.settings import Settings

    env, url, _ = fresh_env("sqlite")
    print(f"data directory: {env['LABELWORKS_DATA_DIR']}", flush=True)
    settings = Settings(data_dir=Path(env["LABELWORKS_DATA_DIR"]), database_url=url)
    db = Database.open(settings)
    email = "manager@bench.example.com"
    with db.write() as session:
        org, _key = orgs.create_org(session, "seeded")
        principal = Principal(org.id, org.name)
        ids = [
            projects.create_project(
                session,
                principal,
                {"name": f"p{i}", "type": "categorization", "params": {"categories": ["a", "b"]}},
            ).id
            for i in range(10)
        ]
        user = users.create_user(session, email, "customer", PASSWORD, org)
        session.add(TeamMember(org_id=org.id, user_id=user.id, team_role="manager"))
    began = time.perf_counter()
    bulk_insert_tasks(db, principal, ids, total)
    print(f"seeded {total} tasks in {time.perf_counter() - began:.1f} s", flush=True)
    with db.write() as session:
        seq = session.scalar(
            select(Task.seq).where(Task.status == "completed").order_by(Task.seq.desc()).limit(1)
        )
        task = session.get_one(Task, seq)
        task.response = {"category": "a"}  # through the ORM: the sealing seam encrypts it
        task_id = task.task_id
    db.engine.dispose()
    assert task_id is not None
    return env, email, task_id


def reuse(data_dir: str) -> tuple[dict[str, str], str, str]:
    import sqlite3

    env, _, _ = fresh_env("sqlite")
    env["LABELWORKS_DATA_DIR"] = data_dir
    with sqlite3.connect(Path(data_dir) / "labelworks.db") as conn:
        (task_id,) = conn.execute(
            "SELECT task_id FROM tasks WHERE response IS NOT NULL ORDER BY seq DESC LIMIT 1"
        ).fetchone()
    return env, "manager@bench.example.com", task_id


def timed(client: httpx.Client, url: str, repeat: int) -> tuple[list[float], httpx.Response]:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        r = client.get(url)
        times.append(time.perf_counter() - began)
        if r.status_code != 200:
            print(f"  {url}: HTTP {r.status_code} {r.text[:200]}", flush=True)
    return times, r


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--reuse", help="a data directory seeded by an earlier run")
    parser.add_argument("--range-repeat", type=int, default=3)
    args = parser.parse_args()
    env, email, task_id = reuse(args.reuse) if args.reuse else seed(args.tasks)
    run = serve_labelworks(env, 1)
    try:
        with httpx.Client(base_url=run.url, timeout=60) as client:
            r = client.post("/", data={"email": email, "password": PASSWORD})
            assert r.status_code == 303 and "lw_session" in client.cookies, r.text[:300]
            first, page = timed(client, "/tasks", 1)
            marker = 'id="next-page" href="'
            next_url = page.text.split(marker, 1)[1].split('"', 1)[0].replace("&amp;", "&")
            for label, url in (
                ("first page, all tasks", "/tasks"),
                ("first page, project + status", "/tasks?project=p3&status=pending"),
                ("first page, tag", "/tasks?tags=t7"),
                ("next page, all tasks", next_url),
                ("task page", f"/tasks/{task_id}"),
                (
                    "first page, created range",
                    "/tasks?created_from=2000-01-01&created_to=2100-01-01",
                ),
                ("first page, completed range", "/tasks?completed_from=2000-01-01"),
            ):
                # A range page took seconds at 1M before its plan (RESULTS.md): --range-repeat.
                times, _ = timed(
                    client, url, args.range_repeat if "range" in label else args.repeat
                )
                print(
                    f"{args.tasks} tasks  {label:32s} median {median(times) * 1000:6.1f} ms"
                    f"  p95 {pct(times, 95) * 1000:6.1f} ms  (n={len(times)})",
                    flush=True,
                )
            print(f"(the very first request, cold: {first[0] * 1000:.1f} ms)")
    finally:
        run.stop()


if __name__ == "__main__":
    main()
