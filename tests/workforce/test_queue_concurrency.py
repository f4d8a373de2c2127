"""Many annotators against several server processes: the queue's invariants hold.

No task gets more than its overlap of labels, nobody labels a task twice, no acknowledged label
is lost, and leases that annotators abandon expire and come back.
"""

from __future__ import annotations

import random
import tempfile
import threading
import time
from pathlib import Path

import httpx
from sqlalchemy import func, select

from labelworks.db.tables import Assignment, Task
from tests.conftest import start_server, stop_server
from tests.workforce.conftest import make_worker

OVERLAP = 2
TASKS = 60
ANNOTATORS = 32


# A kept label ends accepted, or dissented when it disagrees with the consensus answer.
LABELLED = ("submitted", "accepted", "dissented")


def test_invariants_under_32_annotators_and_several_processes(backend):
    # PostgreSQL: 4 processes; SQLite serialises writers, so 2 (as `serve --workers 2` is run).
    server = start_server(
        backend,
        workers=4 if backend.name == "postgresql" else 2,
        extra_env={"LABELWORKS_LEASE_SECONDS": "2"},
        log=Path(tempfile.gettempdir()) / f"lw-busy-{backend.name}.log",
    )
    try:
        org_name, key = backend.new_org("busy")
        auth = (key, "")
        project = f"busy-{org_name}"
        httpx.post(
            f"{server.v1}/projects",
            auth=auth,
            json={
                "name": project,
                "type": "categorization",
                "params": {"categories": ["a", "b"], "overlap": OVERLAP},
            },
        ).raise_for_status()
        for i in range(TASKS):
            httpx.post(
                f"{server.v1}/task/categorization",
                auth=auth,
                json={"project": project, "attachment": f"https://e.com/{i}.png"},
            ).raise_for_status()
        workers = [make_worker(server) for _ in range(ANNOTATORS)]
        acknowledged: list[int] = []
        abandoned: list[int] = []
        errors: list[str] = []
        lock = threading.Lock()
        deadline = time.monotonic() + 120

        all_done = threading.Event()

        def watch() -> None:
            while time.monotonic() < deadline and not all_done.is_set():
                page = httpx.get(
                    f"{server.v1}/tasks",
                    auth=auth,
                    params={"project": project, "status": "pending", "limit": 1},
                ).json()
                if page["total"] == 0:
                    all_done.set()
                time.sleep(0.3)

        def annotate(w, seed: int) -> None:
            rng = random.Random(seed)
            while time.monotonic() < deadline and not all_done.is_set():
                r = w.next(project)
                if r.status_code == 204:
                    time.sleep(0.3)  # abandoned leases come back when they expire
                    continue
                if r.status_code != 200:
                    errors.append(f"next {r.status_code} {r.text}")
                    return
                lease = r.json()
                if rng.random() < 0.1:
                    with lock:
                        abandoned.append(lease["assignment_id"])
                    continue
                s = w.submit(
                    lease["assignment_id"], {"response": {"category": rng.choice(["a", "b"])}}
                )
                if s.status_code == 200:
                    with lock:
                        acknowledged.append(lease["assignment_id"])
                elif s.status_code != 409:  # 409: the lease expired under a slow worker
                    errors.append(f"submit {s.status_code} {s.text}")

        threads = [threading.Thread(target=annotate, args=(w, i)) for i, w in enumerate(workers)]
        threads.append(threading.Thread(target=watch))
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors, errors[:5]

        with backend.db.read() as session:
            org_tasks = select(Task.seq).where(
                Task.project_id
                == select(Task.project_id)
                .where(
                    Task.seq.in_(
                        select(Assignment.task_seq).where(Assignment.id.in_(acknowledged[:1]))
                    )
                )
                .scalar_subquery()
            )
            statuses = dict(
                session.execute(
                    select(Task.status, func.count())
                    .where(Task.seq.in_(org_tasks))
                    .group_by(Task.status)
                ).all()
            )
            per_task = session.execute(
                select(Assignment.task_seq, func.count())
                .where(
                    Assignment.task_seq.in_(org_tasks),
                    Assignment.stage == "label",
                    Assignment.status.in_(LABELLED),
                )
                .group_by(Assignment.task_seq)
            ).all()
            doubles = session.execute(
                select(Assignment.task_seq, Assignment.user_id, func.count())
                .where(Assignment.task_seq.in_(org_tasks))
                .group_by(Assignment.task_seq, Assignment.user_id)
                .having(func.count() > 1)
            ).all()
            kept = set(
                session.scalars(
                    select(Assignment.id).where(
                        Assignment.id.in_(acknowledged),
                        Assignment.status.in_(LABELLED),
                    )
                )
            )
            expired = session.scalar(
                select(func.count())
                .select_from(Assignment)
                .where(Assignment.id.in_(abandoned), Assignment.status == "expired")
            )

        assert statuses == {"completed": TASKS}
        assert len(per_task) == TASKS and all(n == OVERLAP for _, n in per_task)
        assert doubles == []
        assert kept == set(acknowledged) and len(acknowledged) == TASKS * OVERLAP
        assert abandoned and expired == len(abandoned)
    finally:
        stop_server(server)
