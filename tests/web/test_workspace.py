"""The workspace in a real browser: sign-in per role, one task of each type by keyboard and
mouse with the stored response checked through the API, offline submit, review, hostile
instructions, tenancy. Screenshots of each editor go to test-artifacts/."""

from __future__ import annotations

import uuid

import httpx
import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from labelworks.db.tables import Assignment, Task
from tests.web.conftest import PASSWORD, bearer, make_person, no_leases, screenshot, sign_in

pytestmark = pytest.mark.ui_on_sqlite  # see tests/conftest.py

CATS = ["red", "blue", "yellow"]


def _open_work(page, server, project: str, role: str = "annotator") -> str:
    email = make_person(server, role)
    sign_in(page, server, email, next=f"/work?project={project}")
    page.wait_for_url(f"{server.url}/work?project={project}")
    expect(page.locator("#task-title")).not_to_have_text("Loading…")
    return email


def _submitted_count(server, task_id: str) -> int:
    with server.backend.db.read() as session:
        seq = session.scalar(select(Task.seq).where(Task.task_id == task_id))
        return session.scalar(
            select(func.count())
            .select_from(Assignment)
            .where(
                Assignment.task_seq == seq,
                Assignment.stage == "label",
                Assignment.status.in_(("submitted", "accepted")),
            )
        )


def test_sign_in_lands_each_role_on_its_page(web_server, browser, customer):
    other = customer.project("categorization", {"categories": CATS})
    s = web_server
    landings = {"annotator": "/work", "reviewer": "/review", "admin": "/review"}
    for role, path in landings.items():
        context = browser.new_context()
        no_leases(context)
        page = context.new_page()
        sign_in(page, s, make_person(s, role))
        page.wait_for_url(f"{s.url}{path}")
        context.close()
    # A customer lands on their org's projects and never sees another org's.
    from tests.web.conftest import Customer  # noqa: F401  (type of `customer`)

    name, key = s.backend.new_org("other")
    with httpx.Client(base_url=s.v1, auth=(key, "")) as api:
        hidden = f"hidden-{name}"
        assert (
            api.post(
                "/projects",
                json={"name": hidden, "type": "categorization", "params": {"categories": CATS}},
            ).status_code
            == 200
        )
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, s, make_person(s, "customer", customer.org_id))
    page.wait_for_url(f"{s.url}/projects")
    expect(page.locator("main")).to_contain_text(other)
    assert hidden not in page.content()
    # ...and cannot open the annotator workspace.
    assert page.goto(f"{s.url}/work").status == 403
    context.close()
    # Wrong password: the sign-in page again, with the reason.
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, s, "nobody@example.com", "wrong password")
    expect(page.get_by_role("alert")).to_contain_text("Wrong email or password")
    context.close()


def test_pages_carry_a_strict_csp_and_cookie_writes_need_csrf(web_server, page):
    s = web_server
    r = httpx.get(f"{s.url}/")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    email = make_person(s, "annotator")
    no_leases(page)
    sign_in(page, s, email)
    page.wait_for_url(f"{s.url}/work")
    cookie = next(c for c in page.context.cookies() if c["name"] == "lw_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    jar = {"lw_session": cookie["value"]}
    # A cookie-authenticated write without the CSRF header is refused and changes nothing.
    r = httpx.post(f"{s.url}/work/queue", json={"hold": 1}, cookies=jar)
    assert r.status_code == 403 and "csrf" in r.json()["error"].lower()
    # Signing in never redirects off the site; a foreign Origin is refused.
    form = {"email": email, "password": PASSWORD}
    r = httpx.post(f"{s.url}/", data={**form, "next": "//evil.example/x"})
    assert r.status_code == 303 and r.headers["location"] == "/work"
    r = httpx.post(f"{s.url}/", data=form, headers={"Origin": "https://evil.example"})
    assert r.status_code == 403 and "lw_session" not in r.cookies
    # Reads work with the cookie alone.
    r = httpx.get(f"{s.url}/work/me", cookies=jar)
    assert r.status_code == 200 and r.json()["email"] == email


def test_categorization_by_keyboard_and_by_mouse(web_server, page, customer):
    s = web_server
    single = customer.project("categorization", {"categories": CATS})
    t1 = customer.task("categorization", single, {"attachment": "https://e.com/a.png"})
    _open_work(page, s, single)
    expect(page.get_by_role("button", name="blue 2")).to_be_visible()
    screenshot(page, "editor-categorization")
    page.keyboard.press("Digit2")
    expect(page.get_by_role("button", name="blue 2")).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("Enter")
    expect(page.locator("#task-title")).to_have_text("No work right now")
    expect(page.locator("#sync")).to_have_text("All saved")
    assert customer.get(t1)["response"] == {"category": "blue"}

    multi = customer.project("categorization", {"categories": CATS, "allow_multiple": True})
    t2 = customer.task("categorization", multi, {"attachment": "https://e.com/b.png"})
    page.goto(f"{s.url}/work?project={multi}")
    page.get_by_role("button", name="yellow 3").click()
    page.get_by_role("button", name="red 1").click()
    page.get_by_role("button", name="Submit").click()
    expect(page.locator("#task-title")).to_have_text("No work right now")
    expect(page.locator("#sync")).to_have_text("All saved")
    assert customer.get(t2)["response"] == {"category": ["red", "yellow"]}


def test_text_collection_form_with_limits(web_server, page, customer):
    s = web_server
    fields = [
        {"type": "text", "field_id": "answer", "title": "Answer", "min_characters": 10},
        {"type": "number", "field_id": "score", "title": "Score", "min": 1, "max": 5},
        {"type": "category", "field_id": "tone", "title": "Tone", "choices": ["calm", "angry"]},
        {"type": "text", "field_id": "note", "title": "Note", "required": False},
    ]
    project = customer.project("textcollection", {"fields": fields})
    task = customer.task(
        "textcollection", project, {"attachments": [{"type": "text", "content": "Say hi."}]}
    )
    _open_work(page, s, project)
    answer = page.get_by_label("Answer *")
    answer.fill("too short")
    # A local draft within 500 ms: a reload brings the text back (same lease, same task).
    page.wait_for_timeout(500)
    page.reload()
    answer = page.get_by_label("Answer *")
    expect(answer).to_have_value("too short")
    page.get_by_label("Score *").fill("4")
    page.get_by_label("calm").check()
    answer.press("Control+Enter")
    expect(page.locator("#message")).to_contain_text("incomplete")
    answer.press("End")
    answer.type(", now long enough")
    screenshot(page, "editor-textcollection")
    answer.press("Control+Enter")
    expect(page.locator("#task-title")).to_have_text("No work right now")
    expect(page.locator("#sync")).to_have_text("All saved")
    assert customer.get(task)["response"] == {
        "fields": {"answer": "too short, now long enough", "score": 4, "tone": "calm"}
    }


def test_transcription_of_an_image(web_server, page, customer):
    s = web_server
    fields = [{"type": "text", "field_id": "plate", "title": "Plate"}]
    project = customer.project("transcription", {"fields": fields})
    task = customer.task(
        "transcription",
        project,
        {"attachments": [{"type": "image", "content": "https://e.com/plate.png"}]},
    )
    _open_work(page, s, project)
    page.get_by_label("Plate *").fill("AB-123-CD")
    screenshot(page, "editor-transcription")
    page.get_by_label("Plate *").press("Control+Enter")
    expect(page.locator("#task-title")).to_have_text("No work right now")
    expect(page.locator("#sync")).to_have_text("All saved")
    assert customer.get(task)["response"] == {"fields": {"plate": "AB-123-CD"}}


def test_comparison_keys_for_choice_and_likert(web_server, page, customer):
    s = web_server
    fields = [{"type": "likert", "field_id": "strength", "title": "How much better?", "scale": 5}]
    project = customer.project("comparison", {"fields": fields})
    task = customer.task(
        "comparison",
        project,
        {
            "prompt": "How do I boil an egg?",
            "responses": [
                {"id": "a", "content": "Eggs are **laid**."},
                {"id": "b", "content": "1. Boil water\n2. Cook *9 minutes*"},
            ],
        },
    )
    _open_work(page, s, project)
    expect(page.locator(".response-body em")).to_have_text("9 minutes")  # markdown rendered
    page.keyboard.press("Digit2")
    page.keyboard.press("Shift+Digit4")
    expect(page.get_by_role("radio", name="How much better?: 4")).to_have_attribute(
        "aria-checked", "true"
    )
    screenshot(page, "editor-comparison")
    page.keyboard.press("Enter")
    expect(page.locator("#task-title")).to_have_text("No work right now")
    expect(page.locator("#sync")).to_have_text("All saved")
    assert customer.get(task)["response"] == {"chosen": "b", "fields": {"strength": 4}}


def test_ner_spans_by_keyboard_and_mouse(web_server, page, customer):
    s = web_server
    labels = [{"name": "PERSON"}, {"name": "PLACE"}]
    project = customer.project("namedentityrecognition", {"labels": labels})
    text = "Ada Lovelace lived in London."
    task = customer.task("namedentityrecognition", project, {"text": text})
    _open_work(page, s, project)
    page.locator(".ner-text").focus()
    page.keyboard.press("Shift+ArrowRight")  # Ada -> Ada Lovelace
    page.keyboard.press("Digit1")
    page.locator(".tok", has_text="London").dblclick()
    page.get_by_role("button", name="PLACE 2").click()
    screenshot(page, "editor-ner")
    page.keyboard.press("Enter")
    expect(page.locator("#task-title")).to_have_text("No work right now")
    expect(page.locator("#sync")).to_have_text("All saved")
    assert customer.get(task)["response"] == {
        "annotations": [
            {"start": 0, "end": 12, "label": "PERSON", "text": "Ada Lovelace"},
            {"start": 22, "end": 28, "label": "PLACE", "text": "London"},
        ]
    }


def test_offline_submit_then_reload_loses_and_doubles_nothing(web_server, page, customer):
    s = web_server
    project = customer.project("categorization", {"categories": CATS})
    first = customer.task("categorization", project, {"attachment": "https://e.com/1.png"})
    customer.task("categorization", project, {"attachment": "https://e.com/2.png"})
    _open_work(page, s, project)
    expect(page.locator("#queue-info")).to_have_text("1 ready")  # the second task prefetched
    shown_first = page.locator(".task-image").get_attribute("src")
    page.context.set_offline(True)
    page.keyboard.press("Digit3")
    page.keyboard.press("Enter")
    # The next task shows at once; the submission waits in the browser.
    expect(page.locator("#sync")).to_have_text("1 waiting to send")
    assert page.locator(".task-image").get_attribute("src") != shown_first
    assert customer.get(first)["status"] == "pending"
    page.context.set_offline(False)
    page.reload()
    expect(page.locator("#sync")).to_have_text("All saved")
    done = customer.get(first)
    assert done["status"] == "completed" and done["response"] == {"category": "yellow"}
    assert _submitted_count(s, first) == 1
    # The second task is still the one on screen after the reload, not a new lease.
    expect(page.locator("#task-title")).to_have_text("Categorize")


def test_reviewer_rejects_and_the_task_returns_to_the_queue(web_server, page, customer):
    s = web_server
    project = customer.project("categorization", {"categories": CATS, "review": True})
    task = customer.task("categorization", project, {"attachment": "https://e.com/r.png"})
    with bearer(s, make_person(s, "annotator")) as worker:
        lease = worker.post("/work/next", json={"project": project}).json()
        r = worker.post(
            f"/work/assignments/{lease['assignment_id']}/submit",
            json={"response": {"category": "red"}},
        )
        assert r.status_code == 200
    email = make_person(s, "reviewer")
    sign_in(page, s, email, next=f"/review?project={project}")
    page.wait_for_url(f"{s.url}/review?project={project}")
    expect(page.locator("#review-panel")).to_contain_text('"category":"red"')
    screenshot(page, "review")
    page.keyboard.press("KeyR")
    reason = page.get_by_label("Reason for rejecting")
    expect(reason).to_be_focused()
    reason.press("Control+Enter")  # empty: refused
    expect(page.locator("#message")).to_contain_text("reason is required")
    reason.fill("The car is blue.")
    reason.press("Control+Enter")
    expect(page.locator("#task-title")).to_have_text("Nothing to review right now")
    expect(page.locator("#sync")).to_have_text("All saved")
    assert customer.get(task)["status"] == "pending"
    with bearer(s, make_person(s, "annotator")) as again:
        lease = again.post("/work/next", json={"project": project}).json()
        assert lease["task"]["task_id"] == task


def test_hostile_instruction_does_not_run(web_server, page, customer):
    s = web_server
    hostile = (
        "Pick one. <script>window.__pwned = 1</script>"
        '<img src="x" onerror="window.__pwned = 2"> [x](javascript:window.__pwned=3)'
    )
    project = customer.project("comparison", {"instruction": hostile})
    customer.task(
        "comparison",
        project,
        {
            "prompt": '<img src=x onerror="window.__pwned=4">',
            "responses": [
                {"id": "a", "content": "<script>window.__pwned=5</script>"},
                {"id": "b", "content": "fine"},
            ],
        },
    )
    _open_work(page, s, project)
    expect(page.locator("#instruction")).to_contain_text("<script>window.__pwned = 1</script>")
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.__pwned") is None
    assert page.locator("#instruction script, #instruction img, #editor script").count() == 0
    assert page.locator("#instruction a[href^='javascript']").count() == 0
    screenshot(page, "hostile-instruction")


def test_me_page_shows_my_numbers(web_server, page, customer):
    s = web_server
    project = customer.project("categorization", {"categories": CATS})
    customer.task("categorization", project, {"attachment": "https://e.com/m.png"})
    _open_work(page, s, project)
    page.keyboard.press("Digit1")
    page.keyboard.press("Enter")
    expect(page.locator("#sync")).to_have_text("All saved")
    page.goto(f"{s.url}/work/me")
    expect(page.locator("#labels-done")).to_have_text("1")
    screenshot(page, "me")
    # The sign-out button ends the session, on the server too.
    cookie = next(c for c in page.context.cookies() if c["name"] == "lw_session")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{s.url}/")
    r = httpx.get(f"{s.url}/work/me", cookies={"lw_session": cookie["value"]})
    assert r.status_code == 401


def test_invite_link_sets_a_password_and_signs_in(web_server, page):
    from labelworks.services import invites, users

    s = web_server
    email = f"invitee-{uuid.uuid4().hex[:8]}@example.com"
    with s.backend.db.write() as session:
        users.create_user(session, email, "annotator", None)
        token, _ = invites.create_invite(session, email)
    no_leases(page)
    page.goto(f"{s.url}/invite/{token}")
    page.get_by_label("Password").fill("short")
    page.get_by_label("Password").evaluate("(el) => el.removeAttribute('minlength')")
    page.get_by_role("button", name="Accept invitation").click()
    expect(page.get_by_role("alert")).to_contain_text("at least 8 characters")
    page.get_by_label("Password").fill("a brand new password")
    page.get_by_role("button", name="Accept invitation").click()
    page.wait_for_url(f"{s.url}/work")
    # The link works once.
    page.goto(f"{s.url}/invite/{token}")
    page.get_by_label("Password").fill("another password!")
    page.get_by_role("button", name="Accept invitation").click()
    expect(page.get_by_role("alert")).to_contain_text("already used")


def test_keys_can_be_remapped_and_turned_off(web_server, page, customer):
    s = web_server
    project = customer.project("categorization", {"categories": CATS})
    customer.task("categorization", project, {"attachment": "https://e.com/k.png"})
    _open_work(page, s, project)
    page.keyboard.press("Shift+Slash")
    sheet = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(sheet).to_be_visible()
    sheet.get_by_role("button", name="Change the key for Skip").click()
    page.keyboard.press("KeyK")
    sheet.get_by_label("Shortcuts on").uncheck()
    sheet.get_by_role("button", name="Close").click()
    expect(page.get_by_role("button", name="Skip")).to_have_text("Skip")  # no key shown when off
    page.keyboard.press("Digit1")
    expect(page.get_by_role("button", name="red")).to_have_attribute("aria-pressed", "false")
    page.get_by_role("button", name="Keyboard shortcuts").click()
    sheet.get_by_label("Shortcuts on").check()
    sheet.get_by_role("button", name="Close").click()
    expect(page.get_by_role("button", name="Skip K")).to_be_visible()
    page.keyboard.press("KeyK")
    expect(page.locator("#task-title")).to_have_text("No work right now")


def test_reviewer_fixes_with_the_editor(web_server, page, customer):
    s = web_server
    project = customer.project("categorization", {"categories": CATS, "review": True})
    task = customer.task("categorization", project, {"attachment": "https://e.com/f.png"})
    with bearer(s, make_person(s, "annotator")) as worker:
        lease = worker.post("/work/next", json={"project": project}).json()
        worker.post(
            f"/work/assignments/{lease['assignment_id']}/submit",
            json={"response": {"category": "red"}},
        )
    sign_in(page, s, make_person(s, "reviewer"), next=f"/review?project={project}")
    expect(page.get_by_role("button", name="red 1")).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("Digit3")
    page.keyboard.press("KeyF")
    expect(page.locator("#task-title")).to_have_text("Nothing to review right now")
    expect(page.locator("#sync")).to_have_text("All saved")
    done = customer.get(task)
    assert done["status"] == "completed" and done["response"] == {"category": "yellow"}


def test_image_box_drawn_in_the_workspace_is_stored_in_image_pixels(web_server, page, customer):
    """The image editor inside the workspace: label key, drag, Enter; the stored box is the
    dragged rectangle in the image's own pixels although the image is displayed scaled."""
    from tests.web.image_harness import png

    s = web_server
    width, height = 1600, 1200
    up = customer.api.post("/files/upload", files={"file": ("street.png", png(width, height))})
    assert up.status_code == 200, up.text
    project = customer.project(
        "imageannotation", {"geometries": {"box": {"objects_to_annotate": ["car", "truck"]}}}
    )
    task = customer.task("imageannotation", project, {"attachment": up.json()["attachment_url"]})
    _open_work(page, s, project)
    surface = page.get_by_role("img", name="Task image")
    # Laid out at fit-to-screen once the image has loaded (the editor marks the surface ready).
    expect(surface).to_have_attribute("data-ready", "true")
    shown = surface.bounding_box()
    scale = shown["width"] / width  # fit-to-screen: the surface is exactly the displayed image
    assert abs(shown["height"] / height - scale) < 0.01

    def at(x: float, y: float) -> tuple[float, float]:
        return shown["x"] + x * scale, shown["y"] + y * scale

    page.keyboard.press("Digit2")  # truck
    page.mouse.move(*at(200, 300))
    page.mouse.down()
    page.mouse.move(*at(500, 400), steps=5)
    page.mouse.move(*at(800, 700), steps=5)
    page.mouse.up()
    # The editor counts its shapes once the drag is committed (it draws only on a loaded image).
    expect(page.get_by_text("1 shape", exact=True)).to_be_visible()
    screenshot(page, "editor-imageannotation-workspace")
    page.keyboard.press("Enter")
    expect(page.locator("#task-title")).to_have_text("No work right now")
    expect(page.locator("#sync")).to_have_text("All saved")
    [box] = customer.get(task)["response"]["annotations"]
    tolerance = 2 / scale  # a CSS pixel or two of mouse rounding, in image pixels
    assert box["type"] == "box" and box["label"] == "truck"
    for key, want in (("left", 200), ("top", 300), ("width", 600), ("height", 400)):
        assert abs(box[key] - want) <= tolerance, (key, box[key], want)
