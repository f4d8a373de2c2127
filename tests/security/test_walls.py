"""Conflict walls: nobody works for two walled orgs within the wall's window, on both databases;
customers ask for walls by name without learning who else is a customer."""

from __future__ import annotations

import datetime as dt

from labelworks import clock
from labelworks.services import walls
from labelworks.services.work import leases
from labelworks.services.work.eligibility import WALLED
from tests.security.helpers import new_org, new_person, new_project


def _next(db, person, project):
    with db.write() as session:
        return leases.next_assignment(session, person, project, "label", 600)


def test_a_wall_keeps_a_worker_from_the_rival_until_the_window_ends(backend):
    db = backend.db
    (a, _), (b, _), (c, _) = new_org(db, "wall-a"), new_org(db, "wall-b"), new_org(db, "wall-c")
    pa, pb, pc = new_project(db, a, 2), new_project(db, b, 2), new_project(db, c, 2)
    with db.write() as session:
        from labelworks.services.orgs import get_org

        walls.add_wall(session, get_org(session, a.org_name), get_org(session, b.org_name), 30)
    annotator = new_person(db)
    assert isinstance(_next(db, annotator, pa), dict)  # worked for A
    assert _next(db, annotator, pb) == WALLED  # so B is walled off
    assert isinstance(_next(db, annotator, pc), dict)  # an unwalled org is fine
    # Someone who worked for B first is walled off from A: the wall is symmetric.
    other = new_person(db)
    assert isinstance(_next(db, other, pb), dict)
    assert _next(db, other, pa) == WALLED
    try:
        clock.advance(dt.timedelta(days=29).total_seconds())
        assert _next(db, annotator, pb) == WALLED  # still inside the window
        clock.advance(dt.timedelta(days=2).total_seconds())
        assert isinstance(_next(db, annotator, pb), dict)  # 31 days on: free to work again
    finally:
        clock.set_offset(0.0)


def test_customer_requests_walls_by_name_without_learning_who_exists(inproc_api, backend):
    db = backend.db
    rival, _ = new_org(db, "rival")
    later = f"Later-Rival-{rival.org_name[-8:]}"  # no org of this name yet
    one = inproc_api.post("/conflicts", json={"competitors": [rival.org_name.upper()]})
    two = inproc_api.post("/conflicts", json={"competitors": [f"  {later} "]})
    assert one.status_code == two.status_code == 200, one.text
    # The same shape either way: nothing says whether a name matched an organisation.
    assert one.json().keys() == two.json().keys() == {"requested", "days"}
    assert two.json() == {"requested": [later], "days": 30}
    mine = inproc_api.get("/conflicts").json()["requests"]
    assert [r["name"] for r in mine] == [rival.org_name.upper(), later]
    bad = inproc_api.post("/conflicts", json={"competitors": ["ok", 3]})
    assert bad.status_code == 400 and "competitors[1]" in bad.text
    assert inproc_api.post("/conflicts", json={"competitors": ["x"], "days": 0}).status_code == 400
    # The existing rival is walled now; the other one as soon as it is created.
    with db.read() as session:
        pairs = {frozenset((w.org_a, w.org_b)) for w in walls.list_walls(session)}
    requester = next(p for p in pairs if rival.org_name in p)
    (me,) = requester - {rival.org_name}
    assert not any(later.lower() in {n.lower() for n in p} for p in pairs)
    created, _ = new_org(db, "x")  # unrelated org: no wall
    from labelworks.services import orgs

    with db.write() as session:
        orgs.create_org(session, later.lower())
        pairs = {frozenset((w.org_a, w.org_b)) for w in walls.list_walls(session)}
    assert frozenset((me, later.lower())) in pairs
    assert not any(created.org_name in p for p in pairs)
