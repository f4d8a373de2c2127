"""The landing and quality pages and their chart endpoints, in process on a real database:
progress from the counters, tenancy between two orgs, anonymised annotators, the refusals."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from labelworks.db.tables import Org, TeamMember
from labelworks.services import users
from tests.dashboard.test_counters import CATS, PASSWORD, _org, _work, _worker


def _customer(app_client: Any, db: Any, org_id: int, team_role: str = "member") -> Any:
    """A signed-in customer's browser: the session cookie, as the sign-in page sets it."""
    from starlette.testclient import TestClient

    email = f"customer-{uuid.uuid4().hex[:8]}@example.com"
    with db.write() as s:
        user = users.create_user(s, email, "customer", PASSWORD, s.get(Org, org_id))
        s.add(TeamMember(org_id=org_id, user_id=user.id, team_role=team_role))
    token = app_client.post("/auth/login", json={"email": email, "password": PASSWORD})
    client = TestClient(app_client.app, raise_server_exceptions=False, follow_redirects=False)
    client.cookies.set("lw_session", token.json()["token"])
    return client


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _series(client: Any, url: str) -> dict[str, list[Any]]:
    r = client.get(url)
    assert r.status_code == 200, r.text
    return {s["label"]: s["values"] for s in r.json()["series"]}


def test_landing_shows_progress_and_nothing_of_another_org(app_client, backend) -> None:
    if backend.name != "sqlite":
        pytest.skip("the browser test covers the landing page on PostgreSQL; time budget")
    db = backend.db
    org_a, api = _org(app_client, backend)
    org_b, api_b = _org(app_client, backend)
    p, q = f"mine-{uuid.uuid4().hex[:6]}", f"theirs-{uuid.uuid4().hex[:6]}"
    batch = f"b-{uuid.uuid4().hex[:6]}"
    assert api.post("/projects", json={"name": p, "type": "categorization",
                                       "params": {"categories": CATS}}).status_code == 200  # fmt: skip
    assert api_b.post("/projects", json={"name": q, "type": "categorization",
                                         "params": {"categories": CATS}}).status_code == 200  # fmt: skip
    assert api.post("/batches", json={"project": p, "name": batch}).status_code == 200
    for i in range(3):
        body = {"project": p, "batch": batch, "attachment": f"https://e.com/{i}.png"}
        assert api.post("/task/categorization", json=body).status_code == 200
    loose = {"attachment": "https://e.com/loose.png", "categories": CATS}
    assert api.post("/task/categorization", json=loose).status_code == 200
    api_b.post("/task/categorization", json={"project": q, "attachment": "https://e.com/b.png"})

    a = _customer(app_client, db, org_a)
    page = _text(a.get("/projects").text)
    assert f"{p} categorization" in page
    assert "0 of 3 tasks completed" in page
    assert "Tasks without a project (categorization)" in page
    assert q not in page and "_default_" not in page

    annotator = _worker(app_client, db)
    assert _work(annotator, p, "label", {"response": {"category": "cat"}})
    assert _work(annotator, p, "label", {"response": {"category": "dog"}})
    r = a.get("/projects")
    assert r.status_code == 200 and "no-store" in r.headers["cache-control"]
    assert "unsafe-inline" not in r.headers["content-security-policy"]
    page = _text(r.text)
    assert "2 of 3 tasks completed" in page
    assert f"/tasks?project={p}&amp;batch={batch}&amp;status=completed" in r.text
    hourly = _series(a, "/projects/data/throughput.json?range=48h")
    assert hourly["labels submitted"][-1] == 2 and hourly["tasks completed"][-1] == 2
    assert len(hourly["labels submitted"]) == 48
    daily = _series(a, f"/projects/data/throughput.json?range=30d&project={p}")
    assert daily["tasks completed"][-1] == 2 and len(daily["tasks completed"]) == 30

    # Org B's customer sees none of it, and org A's project name is a 404 on the chart data.
    b = _customer(app_client, db, org_b)
    page_b = _text(b.get("/projects").text)
    assert q in page_b and p not in page_b and batch not in page_b
    assert sum(_series(b, "/projects/data/throughput.json")["labels submitted"]) == 0
    assert b.get(f"/projects/data/throughput.json?project={p}").status_code == 404
    bad = b.get("/projects/data/throughput.json?range=1y")
    assert bad.status_code == 400 and bad.json()["error"].startswith("range")


def test_pages_refuse_who_may_not_see_them(app_client, backend) -> None:
    from starlette.testclient import TestClient

    db = backend.db
    org_id, _ = _org(app_client, backend)
    anonymous = TestClient(app_client.app, raise_server_exceptions=False, follow_redirects=False)
    assert anonymous.get("/projects").headers["location"] == "/?next=/projects"
    assert anonymous.get("/quality").status_code == 303
    assert anonymous.get("/projects/data/throughput.json").status_code == 401
    assert anonymous.get("/quality/data/gold.json").status_code == 401
    labeler = _customer(app_client, db, org_id, team_role="labeler")
    assert labeler.get("/projects").status_code == 403
    assert labeler.get("/quality/data/gold.json").status_code == 403
    annotator = _worker(app_client, db)
    annotator.cookies.set("lw_session", annotator.headers.pop("Authorization").split()[1])
    annotator.follow_redirects = False
    assert annotator.get("/projects").status_code == 403
    assert annotator.get("/quality").status_code == 403


def test_quality_page_anonymises_annotators(app_client, backend) -> None:
    db = backend.db
    org_id, api = _org(app_client, backend)
    g, agree = f"gold-{uuid.uuid4().hex[:6]}", f"agree-{uuid.uuid4().hex[:6]}"
    params = {"categories": CATS, "gold_rate": 1.0}
    assert (
        api.post(
            "/projects", json={"name": g, "type": "categorization", "params": params}
        ).status_code
        == 200
    )
    params = {"categories": CATS, "overlap": 2}
    assert (
        api.post(
            "/projects", json={"name": agree, "type": "categorization", "params": params}
        ).status_code
        == 200
    )
    gold = {
        "project": g,
        "attachment": "https://e.com/g.png",
        "expected_response": {"category": "cat"},
    }
    assert api.post("/evaluation_tasks/categorization", json=gold).status_code == 200
    for i in range(3):
        api.post(
            "/task/categorization", json={"project": agree, "attachment": f"https://e.com/{i}.png"}
        )
    first, second = _worker(app_client, db), _worker(app_client, db)
    assert _work(first, g, "label", {"response": {"category": "cat"}})
    assert _work(second, g, "label", {"response": {"category": "dog"}})
    for answers in (("cat", "cat"), ("dog", "dog"), ("cat", "dog")):
        assert _work(first, agree, "label", {"response": {"category": answers[0]}})
        assert _work(second, agree, "label", {"response": {"category": answers[1]}})

    customer = _customer(app_client, db, org_id)
    r = customer.get("/quality")
    assert r.status_code == 200, r.text
    page = _text(r.text)
    assert "Annotator 1 1 1 100 %" in page and "Annotator 2 1 0 0 %" in page
    assert "@example.com" not in r.text.replace(_email_of(customer, db), "")
    row = re.search(rf"{agree} (\S+) (\S+) \((\d+) tasks\) (\S+) %", page)
    assert row is not None, page
    assert row.group(1) == "6" and row.group(3) == "3"
    assert float(row.group(2)) < 1
    assert "Annotator 1 1 1 100 %" in _text(customer.get("/quality").text)  # numbers stay
    gold_chart = _series(customer, "/quality/data/gold.json")
    assert gold_chart["gold accuracy %"][-1] == 50.0 and gold_chart["gold answered"][-1] == 2
    assert "accepted" in _series(customer, "/quality/data/review.json")
    assert customer.get("/quality/data/nope.json").status_code == 404


def _email_of(client: Any, db: Any) -> str:
    from labelworks.services.auth import person_for_token

    with db.read() as s:
        return person_for_token(s, client.cookies["lw_session"]).email
