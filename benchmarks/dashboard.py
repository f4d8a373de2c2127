"""The customer's landing and quality pages at 1M tasks (issue 12, Benchmark).

    python benchmarks/dashboard.py [--tasks 1000000] [--backend sqlite|postgresql] [--runs 20]

Seeds `--tasks` categorization tasks straight into a fresh database (10 projects, 200 batches,
a third completed), 20,000 label assignments (2 per task on 10,000 tasks of one project, for the
agreement sample), 1,000 gold answers and a month of hourly activity rows, then rebuilds the
counters with `counters.backfill` (the migration's backfill, timed). Starts `labelworks serve
--workers 1` and measures, signed in as a customer (session cookie):
- server time (loopback round trip) of `/projects`, `/projects/data/throughput.json` (48 h, 30
  d), `/quality` and `/quality/data/gold.json`: p50 / p95 / max over `--runs`;
- time to interactive in Debian chromium: navigation start → both charts drawn on `/projects`
  (and `/quality`), median / max over 5 loads.
Goal: < 1 s for the landing page with its charts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import insert, text

sys.path.append(str(Path(__file__).parent))
from _harness import drop_pg, fresh_env, pct, serve_labelworks
from seed_tasks import bulk_insert_tasks

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PASSWORD = "correct horse battery"
PROJECTS, BATCHES = 10, 200


def seed(env: dict[str, str], url: str, total: int) -> str:
    """-> the customer's email."""
    from labelworks.db.database import Database
    from labelworks.db.tables import ActivityHour, Assignment, Batch, TeamMember
    from labelworks.services import counters, orgs, projects, users
    from labelworks.services.scope import Principal
    from labelworks.settings import Settings

    db = Database.open(Settings(data_dir=Path(env["LABELWORKS_DATA_DIR"]), database_url=url))
    now = dt.datetime.now(dt.UTC)
    with db.write() as s:
        org, _ = orgs.create_org(s, "dash")
        principal = Principal(org.id, org.name)
        ids = [
            projects.create_project(
                s, principal,
                {"name": f"project-{i}", "type": "categorization",
                 "params": {"categories": ["a", "b"]}},
            ).id
            for i in range(PROJECTS)
        ]  # fmt: skip
        batches = []
        for b in range(BATCHES):
            batch = Batch(org_id=org.id, project_id=ids[b % PROJECTS], name=f"batch-{b}",
                          status="in_progress", created_at=now, updated_at=now)  # fmt: skip
            s.add(batch)
            batches.append(batch)
        customer = users.create_user(s, "customer@example.com", "customer", PASSWORD, org)
        s.add(TeamMember(org_id=org.id, user_id=customer.id, team_role="member"))
        people = [
            users.create_user(s, f"a{i}@example.com", "annotator", PASSWORD).id for i in range(5)
        ]
        s.flush()
        first_batch = batches[0].id
    began = time.perf_counter()
    bulk_insert_tasks(db, principal, ids, total)
    with db.engine.begin() as conn:
        # Task i (seq i+1) is in project i % 10; batch b belongs to project b % 10.
        conn.execute(text(f"UPDATE tasks SET batch_id = {first_batch} + ((seq - 1) % {BATCHES})"))
    print(f"seeded {total} tasks in {time.perf_counter() - began:.1f} s", flush=True)
    with db.engine.begin() as conn:
        rows: list[dict[str, Any]] = []
        for n in range(min(10_000, total // PROJECTS)):  # project-0 tasks: seq 1, 11, 21...
            seq = 1 + 10 * n
            for k in range(2):
                label = "a" if (n + k * (n % 3 == 0)) % 2 == 0 else "b"
                rows.append(_assignment(org.id, ids[0], people[k], seq, "task", label, now))
        for n in range(min(1_000, total // PROJECTS)):
            rows.append(_assignment(org.id, ids[1], people[n % 5], 2 + 10 * n, "gold", "a", now,
                                    correct=n % 7 != 0))  # fmt: skip
        conn.execute(insert(Assignment.__table__), rows)
        hours = [
            {"org_id": org.id, "project_id": p, "hour": counters.hour_of(now) - dt.timedelta(hours=h),
             "labels": 40 + h % 17, "completed": 20 + h % 11, "review_accept": 5,
             "review_fix": 1, "review_reject": 1, "gold_answered": 4, "gold_correct": 3,
             "labels_saved": 2}
            for p in ids for h in range(1, 30 * 24)  # the current hour: from the backfill
        ]  # fmt: skip
    began = time.perf_counter()
    with db.engine.begin() as conn:
        counters.backfill(conn)
        conn.execute(insert(ActivityHour.__table__), hours)  # a month's work, as served
    print(f"counters.backfill (the migration's): {time.perf_counter() - began:.1f} s", flush=True)
    db.engine.dispose()
    return "customer@example.com"


def _assignment(
    org_id: int, project_id: int, user_id: int, seq: int, kind: str, label: str,
    now: dt.datetime, correct: bool = True,
) -> dict[str, Any]:  # fmt: skip
    return {
        "task_seq": seq, "org_id": org_id, "project_id": project_id, "user_id": user_id,
        "stage": "label", "status": "accepted" if correct else "rejected", "task_kind": kind,
        "round": 0, "lease_expires_at": now, "response": {"category": label},
        "decision": None, "score": None if kind == "task" else float(correct),
        "created_at": now, "submitted_at": now,
    }  # fmt: skip


PATHS = [
    "/projects",
    "/projects/data/throughput.json?range=48h",
    "/projects/data/throughput.json?range=30d",
    "/quality",
    "/quality/data/gold.json",
]


def server_times(base: str, token: str, runs: int) -> None:
    with httpx.Client(base_url=base, cookies={"lw_session": token}, timeout=60) as client:
        for path in PATHS:
            times = []
            for _ in range(runs):
                began = time.perf_counter()
                r = client.get(path)
                times.append((time.perf_counter() - began) * 1000)
                assert r.status_code == 200, (path, r.status_code, r.text[:200])
            print(f"  {path:45s} p50 {pct(times, 50):7.1f}  p95 {pct(times, 95):7.1f}  "
                  f"max {max(times):7.1f} ms", flush=True)  # fmt: skip


def browser_times(base: str, token: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1100, "height": 900})
        context.add_cookies([{"name": "lw_session", "value": token, "url": base}])
        page = context.new_page()
        for path in ("/projects", "/quality"):
            times = []
            for _ in range(6):
                page.goto(base + path)
                drawn = page.locator('.chart[data-chart-state="drawn"]')
                drawn.nth(0).wait_for()
                drawn.nth(1).wait_for()
                times.append(page.evaluate("() => performance.now()"))
            times = times[1:]  # the first load also compiles the bundle
            print(f"  chromium {path:12s} navigation → both charts drawn: median "
                  f"{sorted(times)[len(times) // 2]:7.1f}  max {max(times):7.1f} ms", flush=True)  # fmt: skip
        browser.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tasks", type=int, default=1_000_000)
    ap.add_argument("--backend", default="sqlite", choices=["sqlite", "postgresql"])
    ap.add_argument("--runs", type=int, default=20)
    args = ap.parse_args()
    print(f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"load {os.getloadavg()[0]:.1f}; {args.backend}, {args.tasks} tasks", flush=True)  # fmt: skip
    env, url, pg = fresh_env(args.backend)
    try:
        email = seed(env, url, args.tasks)
        run = serve_labelworks(env, 1)
        try:
            token = httpx.post(f"{run.url}/auth/login",
                               json={"email": email, "password": PASSWORD}).json()["token"]  # fmt: skip
            server_times(run.url, token, args.runs)
            if CHROMIUM.exists():
                browser_times(run.url, token)
        finally:
            run.stop()
    finally:
        drop_pg(pg)
    print(f"load after: {os.getloadavg()[0]:.1f}", flush=True)


if __name__ == "__main__":
    main()
