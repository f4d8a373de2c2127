"""The operator console (`/operator`): the workforce with its numbers and actions, the queue per
org, delivery failures; admins only, and operational metadata only (issue 13: no task content).

In-process tests (the app on the real database, both backends) for the rules; one browser flow
for what an operator does."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

import pytest
from sqlalchemy import select

from tests.web.conftest import PASSWORD, bearer, make_person, screenshot, sign_in

pytestmark = pytest.mark.ui_on_sqlite  # see tests/conftest.py

MARKER = "CONFIDENTIAL-7f3a"  # customer content that must never reach an operator page
CATS = ["dog", "cat"]


# --- in-process helpers ----------------------------------------------------------------------------


def _person(backend: Any, role: str, org_id: int | None = None) -> tuple[int, str]:
    from labelworks.db.tables import Org
    from labelworks.services import users

    email = f"{role}-{uuid.uuid4().hex[:8]}@example.com"
    with backend.db.write() as session:
        org = session.get(Org, org_id) if org_id is not None else None
        user = users.create_user(session, email, role, PASSWORD, org)
        session.flush()
        return user.id, email


def _browser_client(app_client: Any, email: str) -> Any:
    """A cookie session, as a browser gets from the sign-in form."""
    from starlette.testclient import TestClient

    client = TestClient(app_client.app, raise_server_exceptions=False, follow_redirects=False)
    r = client.post("/", data={"email": email, "password": PASSWORD})
    assert r.status_code == 303, r.text
    return client


def _csrf(client: Any, path: str = "/operator") -> str:
    match = re.search(r'<meta name="csrf-token" content="([^"]+)"', client.get(path).text)
    assert match, "no CSRF token on the page"
    return match.group(1)


def _worker(app_client: Any, email: str) -> Any:
    from starlette.testclient import TestClient

    token = app_client.post("/auth/login", json={"email": email, "password": PASSWORD}).json()[
        "token"
    ]
    client = TestClient(app_client.app, raise_server_exceptions=False)
    client.headers["Authorization"] = f"Bearer {token}"
    return client


def _org_with_tasks(backend: Any, app_client: Any, n: int, **settings: Any) -> tuple[str, int, str]:
    """A fresh org with a categorization project of `n` tasks carrying the marker everywhere a
    customer puts content. (org name, org id, project name)."""
    from starlette.testclient import TestClient

    from labelworks.db.tables import Org

    name, key = backend.new_org("op")
    api = TestClient(app_client.app, base_url="http://testserver/v1")
    api.auth = (key, "")
    project = f"p-{uuid.uuid4().hex[:8]}"
    r = api.post(
        "/projects",
        json={
            "name": project,
            "type": "categorization",
            "params": {"categories": CATS, **settings},
        },
    )
    assert r.status_code == 200, r.text
    for i in range(n):
        r = api.post(
            "/task/categorization",
            json={
                "project": project,
                "attachment": f"https://example.com/{MARKER}/{i}.png",
                "instruction": f"{MARKER} instruction",
                "metadata": {"note": MARKER},
                "unique_id": f"{MARKER}-{i}",
                "categories": CATS,
            },
        )
        assert r.status_code == 200, r.text
    with backend.db.read() as session:
        org_id = session.scalar(select(Org.id).where(Org.name == name))
    return name, org_id, project


# --- in-process tests -------------------------------------------------------------------------------


def test_console_is_for_admins_only(backend, app_client) -> None:
    from labelworks.db.tables import WorkerProjectStats

    if backend.name != "sqlite":
        pytest.skip("page policies do not depend on the database: checked on SQLite")

    pages = [
        "/operator",
        "/operator/queue",
        "/operator/deliveries",
        "/operator/data/labels-per-day.json",
    ]
    from starlette.testclient import TestClient

    anonymous = TestClient(app_client.app, follow_redirects=False)
    assert anonymous.get("/operator").headers["location"] == "/?next=/operator"
    _, org_id, _ = _org_with_tasks(backend, app_client, 0)
    victim, _ = _person(backend, "annotator")
    for role, org in (("annotator", None), ("customer", org_id)):
        client = _browser_client(app_client, _person(backend, role, org)[1])
        for path in pages:
            r = client.get(path)
            assert r.status_code == 403, (role, path)
            assert "admin role" in r.text
        csrf = _csrf(client)  # the 403 page carries one too
        r = client.post(f"/operator/workers/{victim}/pause", data={"csrf_token": csrf})
        assert r.status_code == 403, role
    with backend.db.read() as session:
        assert not session.scalars(
            select(WorkerProjectStats).where(WorkerProjectStats.user_id == victim)
        ).all()


def test_pause_and_unpause_decide_whether_next_serves_work(backend, app_client) -> None:
    _, _, project = _org_with_tasks(backend, app_client, 3)
    annotator, email = _person(backend, "annotator")
    worker = _worker(app_client, email)
    operator = _browser_client(app_client, _person(backend, "admin")[1])
    assert worker.post("/work/next", json={"project": project}).status_code == 200

    # Without the CSRF token nothing happens.
    r = operator.post(f"/operator/workers/{annotator}/pause", data={"csrf_token": "forged"})
    assert r.status_code == 403 and "CSRF" in r.text
    assert worker.post("/work/next", json={"project": project}).status_code == 200

    csrf = _csrf(operator)
    r = operator.post(f"/operator/workers/{annotator}/pause", data={"csrf_token": csrf})
    assert r.status_code == 303 and r.headers["location"] == "/operator?done=paused"
    r = worker.post("/work/next", json={"project": project})
    assert r.status_code == 204 and r.headers["Labelworks-Reason"] == "paused-low-gold-accuracy"
    row = operator.get("/operator", params={"q": email, "done": "paused"}).text
    assert "Paused." in row and "Unpause " + email in row

    r = operator.post(f"/operator/workers/{annotator}/unpause", data={"csrf_token": csrf})
    assert r.status_code == 303
    assert worker.post("/work/next", json={"project": project}).status_code == 200
    # Pausing someone who is not in the workforce: a 404 shown with the form.
    customer_id, _ = _person(backend, "admin")
    r = operator.post(f"/operator/workers/{customer_id}/pause", data={"csrf_token": csrf})
    assert r.status_code == 404 and "user_id" in r.text


def test_queue_and_deliveries_show_metadata_never_content(backend, app_client) -> None:
    from labelworks.db.tables import OutboxMessage, Task

    org, org_id, project = _org_with_tasks(backend, app_client, 3)
    with backend.db.write() as session:
        first = session.scalars(
            select(Task).where(Task.org_id == org_id).order_by(Task.seq)
        ).first()
        assert first is not None
        session.add(
            OutboxMessage(
                org_id=org_id,
                task_seq=first.seq,
                kind="task",
                url=f"https://customer.example/{MARKER}",
                payload={"response": MARKER},
                status="failed",
                attempts=20,
                last_status_code=500,
                last_error="HTTP 500 from the receiver",
            )
        )
        task_id = first.task_id
    operator = _browser_client(app_client, _person(backend, "admin")[1])

    queue = operator.get("/operator/queue")
    assert queue.status_code == 200
    block = re.search(rf'<tbody data-org="{re.escape(org)}">(.*?)</tbody>', queue.text, re.S)
    assert block, "the org is not in the queue table"
    assert re.search(r'class="depth">3<', block.group(1)) and project in block.group(1)
    assert re.search(r'class="age">\d+ min<', block.group(1))

    deliveries = operator.get("/operator/deliveries")
    assert deliveries.status_code == 200
    assert re.search(
        rf'data-org="{re.escape(org)}"><th scope="row">{re.escape(org)}</th><td class="failed">1<',
        deliveries.text,
    )
    assert task_id in deliveries.text and "HTTP 500 from the receiver" in deliveries.text

    chart = operator.get("/operator/data/labels-per-day.json").json()
    assert len(chart["x"]) == 14 and chart["series"][0]["label"] == "labels"
    for path in ("/operator", "/operator/queue", "/operator/deliveries"):
        assert MARKER not in operator.get(path).text, path


def test_rates_qualifications_and_payouts_forms(backend, app_client) -> None:
    from labelworks.db.tables import Project, WorkerProjectStats

    org, org_id, project = _org_with_tasks(backend, app_client, 1, require_training=True)
    annotator, email = _person(backend, "annotator")
    operator = _browser_client(app_client, _person(backend, "admin")[1])
    csrf = _csrf(operator)
    with backend.db.read() as session:
        project_id = session.scalar(
            select(Project.id).where(Project.org_id == org_id, Project.name == project)
        )

    def rates() -> tuple[float, float]:
        with backend.db.read() as session:
            row = session.get(Project, project_id)
            return row.rate_per_label, row.rate_per_review

    bad = {"csrf_token": csrf, "project_id": str(project_id), "rate_per_review": "2"}
    r = operator.post("/operator/pay-rates", data={**bad, "rate_per_label": "-1"})
    assert r.status_code == 400 and "rate_per_label" in r.text and 'id="op-error"' in r.text
    assert rates() == (0.0, 0.0)  # a refused form changes nothing, not even the valid field
    r = operator.post("/operator/pay-rates", data={**bad, "rate_per_label": "0.25"})
    assert r.status_code == 303 and rates() == (0.25, 2.0)
    r = operator.post("/operator/pay-rates", data={**bad, "project_id": "999999999"})
    assert r.status_code == 404

    def qualify(grant: str) -> int:
        return operator.post(
            "/operator/qualifications",
            data={
                "csrf_token": csrf,
                "user_id": str(annotator),
                "project_id": str(project_id),
                "grant": grant,
            },
        ).status_code

    def passed() -> bool:
        with backend.db.read() as session:
            row = session.get(WorkerProjectStats, (annotator, project_id))
            return bool(row and row.training_passed)

    worker = _worker(app_client, email)
    # require_training and no training task: nothing to serve until qualified.
    assert worker.post("/work/next", json={"project": project}).status_code == 204
    assert qualify("1") == 303 and passed()
    assert f"{org} / {project}" in operator.get("/operator", params={"q": email}).text
    lease = worker.post("/work/next", json={"project": project})
    assert lease.status_code == 200
    worker.post(f"/work/assignments/{lease.json()['assignment_id']}/skip")
    assert qualify("0") == 303 and not passed()
    assert qualify("maybe") == 400

    today = dt.datetime.now(dt.UTC).date()
    r = operator.post(
        "/operator/payouts.csv",
        data={"csrf_token": csrf, "from": today.isoformat(), "to": today.isoformat()},
    )
    assert r.status_code == 400 and "to:" in r.text
    r = operator.post(
        "/operator/payouts.csv",
        data={"csrf_token": csrf, "from": today.isoformat(), "to": "2999-01-01", "org": org},
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    assert r.text.splitlines()[0] == "email,labels,reviews,amount"


# --- the browser flow --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def on_sqlite(backend) -> None:
    """The browser flow runs once, on SQLite (set up before the module's server, so none starts
    for PostgreSQL): the rules it shows are checked on both backends in-process above."""
    if backend.name != "sqlite":
        pytest.skip("the operator browser flow runs on SQLite; its rules run on both in-process")


def test_operator_runs_the_workforce_in_the_browser(on_sqlite, web_server, browser, customer):
    from playwright.sync_api import expect

    s = web_server
    project = customer.project("categorization", {"categories": CATS, "gold_rate": 1.0})
    r = customer.api.post(
        "/evaluation_tasks/categorization",
        json={
            "project": project,
            "attachment": "https://example.com/gold.png",
            "expected_response": {"category": "dog"},
        },
    )
    assert r.status_code == 200, r.text
    for i in range(3):
        customer.task("categorization", project, {"attachment": f"https://example.com/{i}.png"})
    annotator = make_person(s, "annotator")
    operator_email = make_person(s, "admin")

    context = browser.new_context(viewport={"width": 1200, "height": 900}, accept_downloads=True)
    page = context.new_page()
    csp: list[str] = []
    page.on(
        "console", lambda m: csp.append(m.text) if "Content Security Policy" in m.text else None
    )
    sign_in(page, s, operator_email, next="/operator")
    page.wait_for_url(f"{s.url}/operator")

    # Pay rates through the console, then work through the worker API: gold first, then a task.
    page.get_by_label("Project", exact=True).last.select_option(
        label=f"{customer.name} / {project}"
    )
    page.get_by_label("Rate per label").fill("0.5")
    page.get_by_role("button", name="Save rates").click()
    expect(page.get_by_role("status")).to_have_text("Pay rates saved.")
    with bearer(s, annotator) as worker:
        for _ in range(2):
            lease = worker.post("/work/next", json={"project": project})
            assert lease.status_code == 200, lease.text
            r = worker.post(
                f"/work/assignments/{lease.json()['assignment_id']}/submit",
                json={"response": {"category": "dog"}},
            )
            assert r.status_code == 200, r.text

        page.get_by_label("Email contains").fill(annotator)
        page.get_by_role("button", name="Search").click()
        row = page.locator(f'tr[data-email="{annotator}"]')
        expect(row.locator(".accuracy")).to_contain_text("100.0 %")
        expect(row.locator(".earnings")).to_have_text("1.00")
        expect(row.locator(".throughput")).to_have_text(f"{2 / 7:.2f}")
        expect(row.locator(".status")).to_have_text("active")
        chart = page.locator(".chart table.chart-data tbody tr").last
        expect(chart).not_to_have_text(re.compile(r"\s0$"))

        page.get_by_role("button", name=f"Pause {annotator}").click()
        expect(row.locator(".status")).to_contain_text("paused")
        assert worker.post("/work/next", json={"project": project}).status_code == 204
        page.get_by_role("button", name=f"Unpause {annotator}").click()
        expect(row.locator(".status")).to_have_text("active")
        assert worker.post("/work/next", json={"project": project}).status_code == 200
    screenshot(page, "operator-workforce")

    today = dt.datetime.now(dt.UTC).date()
    page.get_by_label("From (included)").fill(today.isoformat())
    page.get_by_label("To (excluded)").fill((today + dt.timedelta(days=1)).isoformat())
    page.get_by_label("Organisation (optional)").fill(customer.name)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").click()
    lines = open(download.value.path(), encoding="utf-8").read().splitlines()
    assert lines == ["email,labels,reviews,amount", f"{annotator},2,0,1.00"]

    page.get_by_role("link", name="Queue").click()
    org_rows = page.locator(f'tbody[data-org="{customer.name}"]')
    expect(org_rows.locator(".depth")).to_have_text("2")  # 3 tasks, one labelled (overlap 1)
    screenshot(page, "operator-queue")
    page.get_by_role("link", name="Delivery failures").click()
    expect(page.get_by_role("heading", name="Delivery failures")).to_be_visible()
    assert csp == [], csp

    # axe, light and dark, in a context that lets its inline script run (same session).
    from tests.web.test_accessibility import _check

    axe_context = browser.new_context(
        viewport={"width": 1100, "height": 900},
        storage_state=context.storage_state(),
        bypass_csp=True,
    )
    context.close()
    page = axe_context.new_page()
    findings: dict[str, Any] = {}
    for path in ("/operator", "/operator/queue", "/operator/deliveries"):
        page.goto(f"{s.url}{path}")
        _check(page, path, findings)
    axe_context.close()
    assert findings == {}, findings
