"""The task browser and the task page in a real browser: the drawn box in image pixels, filters
and keyset pages, audit and redelivery through the API's services and policies, a read-only
member, and another org's customer who sees nothing of the first org."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.web.conftest import PASSWORD, bearer, make_person, screenshot, sign_in
from tests.web.image_harness import png
from tests.web.test_accessibility import _check as _axe_check
from tests.web.test_accessibility import _context as _axe_context

pytestmark = pytest.mark.ui_on_sqlite  # see tests/conftest.py

BOX = {"type": "box", "label": "car", "left": 120, "top": 80, "width": 200, "height": 150}


def _teammate(server: Any, org_id: int, team_role: str) -> str:
    """A customer user on the org's team with that role."""
    return make_person(server, "customer", org_id, team_role=team_role)


def _completed_image_task(server: Any, customer: Any) -> tuple[str, str]:
    """(task id, file id): an uploaded 640x480 image with one box, labelled by an annotator."""
    up = customer.api.post("/files/upload", files={"file": ("street.png", png(640, 480))})
    assert up.status_code == 200, up.text
    project = customer.project(
        "imageannotation", {"geometries": {"box": {"objects_to_annotate": ["car", "truck"]}}}
    )
    task_id = customer.task(
        "imageannotation",
        project,
        {"attachment": up.json()["attachment_url"], "callback_url": "http://127.0.0.1:9/cb"},
    )
    with bearer(server, make_person(server, "annotator")) as worker:
        lease = worker.post("/work/next", json={"project": project}).json()
        assert lease["task"]["task_id"] == task_id
        r = worker.post(
            f"/work/assignments/{lease['assignment_id']}/submit",
            json={"response": {"annotations": [BOX]}},
        )
        assert r.status_code == 200, r.text
    assert customer.get(task_id)["status"] == "completed"
    return task_id, up.json()["id"]


def iso_now() -> str:
    import datetime as dt

    from labelworks.db.types import iso

    return iso(dt.datetime.now(dt.UTC)) or ""


def _csrf(page: Any) -> str:
    return page.locator('meta[name="csrf-token"]').get_attribute("content")


def test_customer_sees_audits_and_redelivers_a_task_and_browses_pages(
    web_server, browser, customer
):
    s = web_server
    task_id, _ = _completed_image_task(s, customer)
    listed = customer.project("categorization", {"categories": ["a", "b"]})
    many = [
        customer.task("categorization", listed, {"attachment": f"https://e.com/{i}.png"})
        for i in range(27)
    ]

    manager = _teammate(s, customer.org_id, "manager")

    # axe on both pages (a context that lets axe's inline script run), light and dark.
    context = _axe_context(browser)
    page = context.new_page()
    sign_in(page, s, manager, next=f"/tasks/{task_id}")
    page.wait_for_url(f"{s.url}/tasks/{task_id}")
    findings: dict[str, Any] = {}
    _axe_check(page, "task page", findings)
    page.goto(f"{s.url}/tasks?project={listed}&limit=25")
    _axe_check(page, "task browser", findings)
    assert not findings, json.dumps(findings, indent=1)
    context.close()

    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    csp_errors: list[str] = []
    page.on("console", lambda m: csp_errors.append(m.text) if "Content Security" in m.text else 0)
    sign_in(page, s, manager, next=f"/tasks/{task_id}")
    page.wait_for_url(f"{s.url}/tasks/{task_id}")

    # The box, in image pixels and where it shows on the scaled image.
    rect = page.locator("#stage-response svg.overlay rect")
    expect(rect).to_have_count(1)
    assert {k: rect.get_attribute(k) for k in ("x", "y", "width", "height")} == {
        "x": "120", "y": "80", "width": "200", "height": "150"
    }  # fmt: skip
    page.wait_for_function("() => document.querySelector('#stage-response img').complete")
    img = page.locator("#stage-response img.stage-image").bounding_box()
    box = rect.bounding_box()
    assert img and box
    scale = img["width"] / 640
    assert abs(img["height"] / 480 - scale) < 0.01
    for got, want in (
        (box["x"] - img["x"], 120),
        (box["y"] - img["y"], 80),
        (box["width"], 200),
        (box["height"], 150),
    ):
        assert abs(got - want * scale) <= 2.5, (got, want, scale)  # stroke adds a pixel or two
    expect(page.locator("article.task-label h3")).to_contain_text(["Annotator 1"])
    expect(page.locator("article.task-label svg.overlay rect")).to_have_count(1)
    expect(page.locator("#history")).to_contain_text("completed")
    screenshot(page, "task-page-box")

    # Redeliver: a new delivery row through the same service as the API.
    # (The first one may still be retrying the closed port: then it is made due instead.)
    before = customer.api.get(f"/task/{task_id}/deliveries").json()["deliveries"]
    page.get_by_role("button", name="Redeliver").click()
    page.wait_for_url(f"{s.url}/tasks/{task_id}?done=redelivered")
    expect(page.locator("#page-done")).to_have_text("Callback queued for delivery.")
    after = customer.api.get(f"/task/{task_id}/deliveries").json()["deliveries"]
    assert len(after) == len(before) + 1 or after[-1]["next_attempt_at"] <= iso_now()
    expect(page.locator("#deliveries tbody tr")).to_have_count(len(after))

    # Reject with a reason: the task goes back for another round; status and event show.
    page.get_by_label("Reason for rejecting").fill("The box misses the mirror.")
    page.get_by_role("button", name="Reject").click()
    page.wait_for_url(f"{s.url}/tasks/{task_id}?done=rejected")
    expect(page.locator("#task-audit")).to_have_text("rejected")
    expect(page.locator("#task-status")).to_have_text("pending")
    expect(page.locator(".audits")).to_contain_text("The box misses the mirror.")
    expect(page.locator("#history")).to_contain_text("audited")
    assert customer.get(task_id)["audits"][-1]["comments"] == "The box misses the mirror."
    expect(page.get_by_role("button", name="Reject")).to_have_count(0)  # not completed now

    # The browser: filter by project and status through the form, then the next page.
    page.goto(f"{s.url}/tasks")
    page.get_by_label("Project").fill(listed)
    page.get_by_label("Status").select_option("pending")
    page.get_by_label("Per page").select_option("25")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#task-count")).to_have_text("27 tasks match.")
    rows = page.locator("#task-table tbody tr")
    expect(rows).to_have_count(25)
    first_page = rows.locator("td:first-child a").all_inner_texts()
    assert first_page == many[::-1][:25]  # newest first
    assert task_id not in page.content()
    page.get_by_role("link", name="Next page").click()
    expect(rows).to_have_count(2)
    assert rows.locator("td:first-child a").all_inner_texts() == many[::-1][25:]
    expect(page.get_by_role("link", name="Next page")).to_have_count(0)
    screenshot(page, "task-browser")
    # A bad filter is a 4xx with the message next to the form.
    r = page.goto(f"{s.url}/tasks?created_from=yesterday")
    assert r and r.status == 400
    expect(page.locator("#filter-error")).to_contain_text("created_from")
    assert not csp_errors, csp_errors
    context.close()

    # A member (read-only) sees the page without the buttons and is refused a POST.
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, s, _teammate(s, customer.org_id, "member"), next=f"/tasks/{many[0]}")
    page.wait_for_url(f"{s.url}/tasks/{many[0]}")
    expect(page.locator("h1")).to_contain_text(many[0])
    expect(page.get_by_role("button", name="Accept")).to_have_count(0)
    expect(page.get_by_role("button", name="Redeliver")).to_have_count(0)
    csrf = _csrf(page)
    for action, form in (("audit", {"decision": "accept"}), ("redeliver", {})):
        r = page.request.post(
            f"{s.url}/tasks/{task_id}/{action}", form={**form, "csrf_token": csrf}
        )
        assert r.status == 403, (action, r.status)
    # And without the CSRF token, even a manager's POST would be refused (checked before policy).
    r = page.request.post(f"{s.url}/tasks/{task_id}/audit", form={"decision": "accept"})
    assert r.status == 403
    context.close()


def test_another_orgs_customer_gets_404_and_sees_none_of_its_tasks(web_server, browser, customer):
    s = web_server
    task_id, file_id = _completed_image_task(s, customer)
    from labelworks.db.tables import Org

    other_name, _ = s.backend.new_org("other")
    with s.backend.db.read() as session:
        other_id = session.scalar(select(Org.id).where(Org.name == other_name))
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, s, _teammate(s, other_id, "admin"), next="/tasks")
    page.wait_for_url(f"{s.url}/tasks")
    expect(page.locator("#task-table tbody")).to_contain_text("No tasks match.")
    bodies = []
    for path in (f"/tasks/{task_id}", "/tasks/0123456789abcdef01234567", f"/tasks/media/{file_id}"):
        r = page.goto(s.url + path)
        assert r and r.status == 404, path
        bodies.append(page.locator("main").inner_text())
        assert task_id not in page.content() and "street" not in page.content()
    assert bodies[0] == bodies[1] == bodies[2]
    r = page.request.post(
        f"{s.url}/tasks/{task_id}/audit", form={"decision": "accept", "csrf_token": _csrf(page)}
    )
    assert r.status == 404
    assert customer.get(task_id)["audits"] == []
    context.close()


def test_drawings_of_other_task_types():
    """Segmentation masks, NER spans, fields: drawn server side from the stored response."""
    import base64
    import io

    import numpy as np
    from PIL import Image

    from labelworks.tasktypes import labelmap
    from labelworks.web.task_drawing import draw

    mask = np.zeros((4, 6), dtype=np.uint8)
    mask[1:3, 2:5] = 1
    d = draw(
        "segmentannotation",
        {},
        {
            "annotations": {"combined": {"indexedImage": labelmap.encode_png(mask)}},
            "labelMapping": {"road": {"index": 1, "color": "#ff0000"}},
        },
    )
    assert d.kind == "mask" and d.legend == [("road", "#ff0000")]
    assert d.mask is not None
    rgba = np.asarray(Image.open(io.BytesIO(base64.b64decode(d.mask.split(",", 1)[1]))))
    assert rgba.shape == (4, 6, 4)
    assert tuple(rgba[1, 2]) == (255, 0, 0, 150) and rgba[0, 0, 3] == 0

    text = "Ada Lovelace lived in London."
    d = draw(
        "namedentityrecognition",
        {"text": text},
        {
            "annotations": [
                {"start": 22, "end": 28, "label": "LOC"},
                {"start": 0, "end": 12, "label": "PER"},
            ]
        },
    )
    assert [(seg.text, seg.label) for seg in d.segments] == [
        ("Ada Lovelace", "PER"), (" lived in ", None), ("London", "LOC"), (".", None)
    ]  # fmt: skip
    d = draw("textcollection", {}, {"fields": {"answer": "hello", "score": 3}})
    assert d.fields == [("answer", "hello"), ("score", "3")]
    d = draw("categorization", {}, {"category": ["red", "blue"]})
    assert d.categories == ["red", "blue"]
    d = draw(
        "imageannotation",
        {},
        {
            "annotations": [
                {"type": "ellipse", "label": "x", "x": 5, "y": 6, "rx": 2, "ry": 1, "angle": 30}
            ]
        },
    )
    assert d.shapes[0].tag == "ellipse" and d.shapes[0].attrs["transform"] == "rotate(30 5 6)"
    assert re.fullmatch(r"#[0-9a-f]{6}", d.shapes[0].attrs["stroke"])


def test_task_page_draws_each_kind_of_response(app_client, backend):
    """In process: NER spans, comparison, categories, a segmentation mask, text fields and a
    javascript: attachment (never a link) on the task page of tasks labelled through /work."""
    import numpy as np
    from starlette.testclient import TestClient

    from labelworks.db.tables import Org
    from labelworks.tasktypes import labelmap

    name, key = backend.new_org("kinds")
    with backend.db.read() as session:
        org_id = session.scalar(select(Org.id).where(Org.name == name))
    api = TestClient(app_client.app, base_url="http://testserver/v1")
    api.auth = (key, "")
    web = TestClient(app_client.app, follow_redirects=False)
    server = type("S", (), {"backend": backend})()
    r = web.post("/", data={"email": _teammate(server, org_id, "member"), "password": PASSWORD})
    assert r.status_code == 303, r.text
    worker = TestClient(app_client.app)
    token = worker.post(
        "/auth/login", json={"email": make_person(server, "annotator"), "password": PASSWORD}
    ).json()["token"]
    worker.headers["Authorization"] = f"Bearer {token}"

    mask = np.zeros((8, 8), dtype=np.uint8)
    mask[2:6, 2:6] = 1
    kinds = [
        (
            "namedentityrecognition",
            {"labels": [{"name": "PER"}]},
            {"text": "Ada Lovelace wrote."},
            {"annotations": [{"start": 0, "end": 12, "label": "PER"}]},
            ['<mark class="label-0" data-label="PER">Ada Lovelace</mark>'],
        ),
        (
            "comparison",
            {},
            {
                "prompt": "Boil an egg?",
                "responses": [
                    {"id": "a", "content": "**Nine** minutes"},
                    {"id": "b", "content": "No"},
                ],
            },
            {"chosen": "a"},
            ["<strong>Nine</strong>", '<strong class="chosen">a</strong>'],
        ),
        (
            "categorization",
            {"categories": ["red", "blue"]},
            {"attachment": "javascript:alert(1)", "attachment_type": "text"},
            {"category": "blue"},
            ['<ul class="chosen-categories"><li>blue</li></ul>'],
        ),
        (
            "segmentannotation",
            {"labels": ["road"], "allow_unlabeled": True},
            {"attachment": "https://e.com/s.png"},
            {
                "annotations": {"combined": {"indexedImage": labelmap.encode_png(mask)}},
                "labelMapping": {"road": {"index": 1}},
            },
            ['class="stage-mask" src="data:image/png;base64,', 'src="https://e.com/s.png"'],
        ),
        (
            "textcollection",
            {"fields": [{"type": "text", "field_id": "answer", "title": "Answer"}]},
            {"attachments": [{"type": "text", "content": "Say hi <b>now</b>."}]},
            {"fields": {"answer": "hello <script>"}},
            ["<dd>hello &lt;script&gt;</dd>", "Say hi &lt;b&gt;now&lt;/b&gt;."],
        ),
    ]
    for task_type, params, body, response, expected in kinds:
        project = f"k-{task_type}"
        r = api.post("/projects", json={"name": project, "type": task_type, "params": params})
        assert r.status_code == 200, r.text
        r = api.post(f"/task/{task_type}", json={**body, "project": project})
        assert r.status_code == 200, r.text
        task_id = r.json()["task_id"]
        lease = worker.post("/work/next", json={"project": project}).json()
        r = worker.post(
            f"/work/assignments/{lease['assignment_id']}/submit", json={"response": response}
        )
        assert r.status_code == 200, (task_type, r.text)
        page = web.get(f"/tasks/{task_id}")
        assert page.status_code == 200, (task_type, page.text[:500])
        for snippet in expected:
            assert snippet in page.text, (task_type, snippet)
        assert "javascript:" not in page.text.replace("javascript:alert(1)</div>", "")
        assert 'name="decision"' not in page.text  # a member gets no audit form

    # The browser's count stops past its cap; the page says "more than".
    from labelworks.services import task_listing
    from labelworks.services.scope import Principal

    with backend.db.read() as session:
        capped = task_listing.list_tasks(
            session, Principal(org_id, name), task_listing.TaskFilters(),
            limit=2, next_token=None, secret=b"s", count_cap=3,
        )  # fmt: skip
    assert capped.total == 4 and len(capped.views) == 2 and capped.has_more
    listing = web.get("/tasks")
    assert "5 tasks match." in listing.text and listing.text.count('href="/tasks/') >= 5


def test_a_manager_fixes_a_response_from_the_task_page(app_client, backend):
    """In process: `Fix and accept` replaces the response (validated as a submission is) and
    accepts the task; malformed or invalid JSON is a 400 on the page that changes nothing."""
    import re

    from starlette.testclient import TestClient

    from labelworks.db.tables import Org

    name, key = backend.new_org("fix")
    with backend.db.read() as session:
        org_id = session.scalar(select(Org.id).where(Org.name == name))
    api = TestClient(app_client.app, base_url="http://testserver/v1")
    api.auth = (key, "")
    server = type("S", (), {"backend": backend})()
    web = TestClient(app_client.app, follow_redirects=False)
    r = web.post("/", data={"email": _teammate(server, org_id, "manager"), "password": PASSWORD})
    assert r.status_code == 303, r.text
    worker = TestClient(app_client.app)
    token = worker.post(
        "/auth/login", json={"email": make_person(server, "annotator"), "password": PASSWORD}
    ).json()["token"]
    worker.headers["Authorization"] = f"Bearer {token}"
    params = {"categories": ["red", "blue"]}
    assert api.post("/projects", json={"name": "f", "type": "categorization", "params": params})
    task_id = api.post("/task/categorization", json={"project": "f", "attachment": "x"}).json()[
        "task_id"
    ]
    lease = worker.post("/work/next", json={"project": "f"}).json()
    worker.post(
        f"/work/assignments/{lease['assignment_id']}/submit", json={"response": {"category": "red"}}
    ).raise_for_status()
    page = web.get(f"/tasks/{task_id}")
    assert "Fix and accept" in page.text and "&#34;category&#34;: &#34;red&#34;" in page.text
    m = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert m
    form = {"csrf_token": m.group(1), "decision": "fix"}
    for bad in ('{"category": ', '{"category": "green"}'):
        r = web.post(f"/tasks/{task_id}/audit", data={**form, "response": bad})
        assert r.status_code == 400 and "response" in r.text, r.text[:300]
    assert api.get(f"/task/{task_id}").json()["response"] == {"category": "red"}
    r = web.post(f"/tasks/{task_id}/audit", data={**form, "response": '{"category": "blue"}'})
    assert r.status_code == 303 and r.headers["location"].endswith("?done=fixed"), r.text[:300]
    task = api.get(f"/task/{task_id}").json()
    assert task["response"] == {"category": "blue"} and task["audits"][-1]["fixed"] is True
    assert "Response corrected and the task accepted." in web.get(r.headers["location"]).text
