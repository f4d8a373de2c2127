"""Annotators racing for walled and unwalled work on PostgreSQL, through a live server (its
thread pool runs their requests in concurrent transactions): nobody ever holds tasks of two
walled orgs, even racing with themselves; moving the clock past the window lets them work
again."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import defaultdict

import httpx
import pytest
from sqlalchemy import select

from labelworks import clock
from labelworks.db.tables import Assignment, User
from labelworks.services import orgs, walls
from tests.conftest import drop_pg_database, make_backend, start_server, stop_server
from tests.security.helpers import PASSWORD, new_org, new_person, new_project

ANNOTATORS = 6
THREADS_EACH = 2  # each annotator races with themselves too
TASKS_PER_ORG = 10


@pytest.fixture(scope="module")
def pg_server(tmp_path_factory):
    backend = make_backend("postgresql", tmp_path_factory.mktemp("walls-pg"))
    offset = tmp_path_factory.mktemp("walls-clock") / "offset"
    assert backend.db is not None  # migrate here, so the server starts on a ready database
    server = start_server(
        backend,
        workers=1,
        extra_env={"LABELWORKS_CLOCK_OFFSET_FILE": str(offset)},
        start_seconds=180,  # the machine is shared: a loaded start can take a minute
    )
    yield server, offset
    stop_server(server)
    backend.dispose()
    for name in backend.cleanup:
        drop_pg_database(name)


def _login(server, email: str) -> httpx.Client:
    token = httpx.post(
        f"{server.url}/auth/login", json={"email": email, "password": PASSWORD}, timeout=60
    ).json()["token"]
    return httpx.Client(
        base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=60
    )


def _work(client: httpx.Client, errors: list[str]) -> None:
    """Take and answer work until none is left for this person."""
    while True:
        r = client.post("/work/next", params={"stage": "label"}, json={})
        if r.status_code == 204:
            return
        if r.status_code != 200:
            errors.append(f"next: {r.status_code} {r.text}")
            return
        lease = r.json()
        s = client.post(
            f"/work/assignments/{lease['assignment_id']}/submit",
            json={"response": {"category": "a"}},
        )
        if s.status_code != 200:
            errors.append(f"submit: {s.status_code} {s.text}")
            return


def test_racing_annotators_never_cross_a_wall_and_the_window_ends(pg_server):
    server, offset = pg_server
    db = server.backend.db
    (a, _), (b, _), (c, _) = new_org(db, "race-a"), new_org(db, "race-b"), new_org(db, "race-c")
    for org in (a, b, c):
        new_project(db, org, TASKS_PER_ORG)
    with db.write() as session:
        walls.add_wall(
            session, orgs.get_org(session, a.org_name), orgs.get_org(session, b.org_name), 30
        )
    people = [new_person(db) for _ in range(ANNOTATORS)]
    clients = [_login(server, p.email) for p in people]
    errors: list[str] = []
    threads = [
        threading.Thread(target=_work, args=(client, errors))
        for client in clients
        for _ in range(THREADS_EACH)
    ]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors[:3]
    with db.read() as session:
        rows = session.execute(
            select(User.email, Assignment.org_id)
            .join(User, User.id == Assignment.user_id)
            .where(Assignment.user_id.in_([p.user_id for p in people]))
        ).all()
    worked: dict[str, set[int]] = defaultdict(set)
    for email, org_id in rows:
        worked[email].add(org_id)
    assert all(not {a.org_id, b.org_id} <= orgs_ for orgs_ in worked.values()), worked
    by_org = defaultdict(int)
    for _, org_id in rows:
        by_org[org_id] += 1
    # Every task was labelled once: the walls split the people, they did not stall the work.
    assert by_org == {a.org_id: TASKS_PER_ORG, b.org_id: TASKS_PER_ORG, c.org_id: TASKS_PER_ORG}
    print(f"race: {len(rows)} labels by {ANNOTATORS}x{THREADS_EACH} threads in "
          f"{time.monotonic() - started:.1f}s")  # fmt: skip

    # Someone who worked for A is refused B's new work, until the window is over.
    a_side = next(e for e, o in worked.items() if a.org_id in o)
    fresh = new_project(db, b, 1)
    client = next(cl for p, cl in zip(people, clients, strict=True) if p.email == a_side)
    r = client.post("/work/next", params={"stage": "label"}, json={"project": fresh})
    assert r.status_code == 204 and r.headers["Labelworks-Reason"] == "conflict-wall"
    try:
        clock.write_offset_file(offset, dt.timedelta(days=31).total_seconds())
        time.sleep(0.2)  # the server re-reads the file every 50 ms
        clock.use_offset_file(offset)  # this process's clock too (sessions last 7 days)
        again = _login(server, a_side)
        r = again.post("/work/next", params={"stage": "label"}, json={"project": fresh})
        assert r.status_code == 200, r.text
    finally:
        clock.use_offset_file(None)
        clock.write_offset_file(offset, 0)
