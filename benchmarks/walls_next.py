"""What conflict walls cost `next`: one annotator's next+submit loop, in-process on a fresh
database, without walls and then with the annotator behind walls (a wall between the org they
work for and a rival, plus `--extra` other orgs they worked for, each walled off from another).

    python benchmarks/walls_next.py --n 300 --extra 50 --backends sqlite,postgresql
"""

from __future__ import annotations

import argparse
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import drop_pg, fresh_env, median, pct


def _setup(url: str, data: Path, tasks: int, extra: int):  # type: ignore[no-untyped-def]
    from labelworks.db.database import Database
    from labelworks.services import orgs, projects, users
    from labelworks.services.auth import Person
    from labelworks.services.scope import Principal
    from labelworks.services.tasks import create_task
    from labelworks.settings import Settings

    db = Database.open(Settings(data_dir=data, database_url=url))
    with db.write() as session:
        org, _ = orgs.create_org(session, "work")
        rival, _ = orgs.create_org(session, "rival")
        principal = Principal(org.id, org.name)
        projects.create_project(
            session,
            principal,
            {"name": "p", "type": "categorization", "params": {"categories": ["a", "b"]}},
        )
        for i in range(tasks):
            create_task(
                session,
                principal,
                "categorization",
                {"project": "p", "attachment": f"https://e.com/{i}.png"},
            )
        user = users.create_user(
            session, f"a-{uuid.uuid4().hex[:6]}@e.com", "annotator", "pw-long-enough"
        )
        person = Person(user.id, user.email, user.role, None)
    return db, person, org, rival


def _loop(db, person, n: int) -> list[float]:  # type: ignore[no-untyped-def]
    from labelworks.services.work import leases, submissions

    times = []
    for _ in range(n):
        start = time.perf_counter()
        with db.write() as session:
            lease = leases.next_assignment(session, person, "p", "label", 600)
        times.append((time.perf_counter() - start) * 1000)
        assert isinstance(lease, dict), lease
        with db.write() as session:
            submissions.submit(
                session, person, lease["assignment_id"], {"response": {"category": "a"}}
            )
    return times


def _wall_up(db, person, org, rival, extra: int) -> None:  # type: ignore[no-untyped-def]
    from labelworks.services import orgs, walls

    with db.write() as session:
        walls.add_wall(session, session.merge(org), session.merge(rival), 30)
        for i in range(extra):
            a, _ = orgs.create_org(session, f"x{i}")
            b, _ = orgs.create_org(session, f"y{i}")
            walls.add_wall(session, a, b, 30)
            walls.mark_worked(session, person.user_id, a.id)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--extra", type=int, default=50)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    print("backend | walls | next p50 / p99 ms")
    for backend in args.backends.split(","):
        env, url, pg = fresh_env(backend)
        try:
            db, person, org, rival = _setup(
                url, Path(env["LABELWORKS_DATA_DIR"]), 2 * args.n + 20, args.extra
            )
            _loop(db, person, 20)  # warm up
            plain = _loop(db, person, args.n)
            _wall_up(db, person, org, rival, args.extra)
            walled = _loop(db, person, args.n)
            for label, t in (("none", plain), (f"1 + {args.extra} worked-for", walled)):
                print(f"{backend} | {label} | {median(t):.2f} / {pct(t, 99):.2f}")
            db.engine.dispose()
        finally:
            drop_pg(pg)


if __name__ == "__main__":
    main()
