"""The customer's dashboard in a real browser: progress moves as annotators work through the
worker API, the throughput chart is drawn, the quality page loads, no CSP violation, and a
second org's customer sees none of it."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.web.conftest import bearer, make_person, screenshot, sign_in

pytestmark = pytest.mark.ui_on_sqlite  # see tests/conftest.py

CATS = ["cat", "dog"]


def _label(server: Any, project: str, n: int) -> None:
    worker = bearer(server, make_person(server, "annotator"))
    with worker:
        for _ in range(n):
            lease = worker.post("/work/next", params={"stage": "label"}, json={"project": project})
            assert lease.status_code == 200, lease.text
            done = worker.post(
                f"/work/assignments/{lease.json()['assignment_id']}/submit",
                json={"response": {"category": "cat"}},
            )
            assert done.status_code == 200, done.text


def test_customer_sees_progress_move_and_charts_drawn(web_server, browser, customer) -> None:
    s = web_server
    project = customer.project("categorization", {"categories": CATS})
    batch = f"batch-{uuid.uuid4().hex[:6]}"
    assert (
        customer.api.post("/batches", json={"project": project, "name": batch}).status_code == 200
    )
    for i in range(4):
        customer.task(
            "categorization", project, {"batch": batch, "attachment": f"https://e.com/{i}.png"}
        )

    context = browser.new_context(viewport={"width": 1100, "height": 900})
    violations: list[str] = []
    page = context.new_page()
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    sign_in(page, s, make_person(s, "customer", customer.org_id))
    page.wait_for_url(f"{s.url}/projects")
    row = page.get_by_role("row").filter(has_text=batch)
    expect(row).to_contain_text("0 of 4")
    expect(page.locator(f'.progress-text[data-project="{project}"]')).to_have_text(
        "0 of 4 tasks completed"
    )

    _label(s, project, 3)
    page.reload()
    expect(page.locator(f'.progress-text[data-project="{project}"]')).to_have_text(
        "3 of 4 tasks completed"
    )
    expect(row).to_contain_text("3 of 4")
    assert row.locator("progress").get_attribute("value") == "3"
    charts = page.locator('.chart[data-chart-state="drawn"]')
    expect(charts).to_have_count(2)
    expect(charts.first.locator("canvas")).to_have_count(1)
    last_hour = charts.first.locator("table.chart-data tbody tr").last.locator("td")
    expect(last_hour.nth(1)).to_have_text("3")  # labels submitted this hour
    expect(last_hour.nth(2)).to_have_text("3")  # tasks completed this hour
    link = row.get_by_role("link", name=batch)
    assert link.get_attribute("href") == f"/tasks?project={project}&batch={batch}"
    screenshot(page, "dashboard-projects")

    page.goto(f"{s.url}/quality")
    expect(page.get_by_role("heading", name="Quality")).to_be_visible()
    expect(page.locator('.chart[data-chart-state="drawn"]')).to_have_count(2)
    expect(page.locator("#project-quality")).to_contain_text(project)
    screenshot(page, "dashboard-quality")
    assert not violations, violations
    context.close()

    # A second org's customer: their own (empty) dashboard, nothing of the first org.
    other, _ = s.backend.new_org("other")
    from sqlalchemy import select

    from labelworks.db.tables import Org

    with s.backend.db.read() as session:
        other_id = session.scalar(select(Org.id).where(Org.name == other))
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, s, make_person(s, "customer", other_id))
    page.wait_for_url(f"{s.url}/projects")
    expect(page.locator("main")).to_contain_text("No projects yet.")
    expect(page.locator('.chart[data-chart-state="drawn"]')).to_have_count(2)
    for where in ("/projects", "/quality"):
        page.goto(f"{s.url}{where}")
        html = page.content()
        assert project not in html and batch not in html
    hourly = page.request.get(f"{s.url}/projects/data/throughput.json?range=48h").json()
    assert sum(hourly["series"][0]["values"]) == 0
    context.close()
