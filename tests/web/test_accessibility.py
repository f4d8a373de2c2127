"""Accessibility in a real browser: axe-core (vendored in tests/web/vendor/) on every page an
annotator, reviewer or customer sees, in light and in dark colour scheme, with no serious or
critical finding outside the image canvas; and text tasks completed by touch at 375 px wide."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.web.conftest import PASSWORD, bearer, make_person, screenshot, sign_in
from tests.web.image_harness import png

pytestmark = pytest.mark.ui_on_sqlite  # see tests/conftest.py

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
CATS = ["red", "blue", "yellow"]
FIELDS = [
    {"type": "text", "field_id": "answer", "title": "Answer", "min_characters": 5},
    {"type": "number", "field_id": "score", "title": "Score", "min": 1, "max": 5},
    {"type": "category", "field_id": "tone", "title": "Tone", "choices": ["calm", "angry"]},
    {"type": "text", "field_id": "note", "title": "Note", "required": False},
]
# The image canvas is out of scope (issue 11: "the non-canvas UI passes axe").
EXCLUDE = ["canvas", ".konvajs-content"]
BODY_BG = {"light": "rgb(247, 247, 248)", "dark": "rgb(20, 21, 26)"}  # --bg in app.css
HIGH_CONTRAST_BG = {"light": "rgb(255, 255, 255)", "dark": "rgb(0, 0, 0)"}


def _axe(page: Any) -> list[dict[str, Any]]:
    """Serious and critical axe violations on the current page, one entry per rule."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async (exclude) => {
            const r = await axe.run({exclude: exclude.map((s) => [s])}, {resultTypes: ['violations']});
            return r.violations;
        }""",
        EXCLUDE,
    )
    return [
        {
            "rule": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [
                {"target": n["target"], "summary": n.get("failureSummary", "")}
                for n in v["nodes"][:5]
            ],
        }
        for v in result
        if v["impact"] in ("serious", "critical")
    ]


def _check(page: Any, where: str, findings: dict[str, Any]) -> None:
    """axe in light, then in dark (the same page, media re-emulated)."""
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        bg = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
        assert bg == BODY_BG[scheme], (where, scheme, bg)  # the scheme really applies
        found = _axe(page)
        if found:
            findings[f"{where} ({scheme})"] = found
    page.emulate_media(color_scheme="light")


def _context(browser: Any, **options: Any) -> Any:
    """A context that ignores the pages' CSP: axe is injected as an inline script, which the
    strict policy (no unsafe-inline) rightly refuses. For these tests only."""
    return browser.new_context(
        **{"viewport": {"width": 1100, "height": 900}, **options}, bypass_csp=True
    )


def _work(context: Any, server: Any, project: str, role: str = "annotator") -> Any:
    page = context.new_page()
    sign_in(page, server, make_person(server, role), next=f"/work?project={project}")
    page.wait_for_url(f"{server.url}/work?project={project}")
    expect(page.locator("#task-title")).not_to_have_text("Loading…")
    return page


def test_axe_finds_nothing_serious_in_light_and_dark(web_server, browser, customer):
    s = web_server
    findings: dict[str, Any] = {}

    # Sign-in page (and its error state).
    context = _context(browser)
    page = context.new_page()
    page.goto(f"{s.url}/")
    _check(page, "sign-in", findings)
    sign_in(page, s, "nobody@example.com", "wrong password")
    expect(page.get_by_role("alert")).to_contain_text("Wrong email or password")
    _check(page, "sign-in error", findings)
    context.close()

    # Workspace, one task of each kind.
    cat = customer.project("categorization", {"categories": CATS, "instruction": "Pick **one**."})
    customer.task("categorization", cat, {"attachment": "https://e.com/a.png"})
    text = customer.project("textcollection", {"fields": FIELDS})
    customer.task("textcollection", text, {"attachments": [{"type": "text", "content": "Say hi."}]})
    comp = customer.project(
        "comparison",
        {"fields": [{"type": "likert", "field_id": "s", "title": "How much better?", "scale": 5}]},
    )
    customer.task(
        "comparison",
        comp,
        {
            "prompt": "How do I boil an egg?",
            "responses": [
                {"id": "a", "content": "Eggs are **laid**."},
                {"id": "b", "content": "1. Boil water\n2. Cook *9 minutes*"},
            ],
        },
    )
    ner = customer.project(
        "namedentityrecognition", {"labels": [{"name": "PERSON"}, {"name": "PLACE"}]}
    )
    customer.task("namedentityrecognition", ner, {"text": "Ada Lovelace lived in London."})
    up = customer.api.post("/files/upload", files={"file": ("street.png", png(640, 480))})
    assert up.status_code == 200, up.text
    image = customer.project(
        "imageannotation", {"geometries": {"box": {"objects_to_annotate": ["car", "truck"]}}}
    )
    customer.task("imageannotation", image, {"attachment": up.json()["attachment_url"]})
    workspaces = (
        ("categorization", cat),
        ("textcollection", text),
        ("comparison", comp),
        ("namedentityrecognition", ner),
        ("imageannotation", image),
    )
    for name, project in workspaces:
        context = _context(browser)
        page = _work(context, s, project)
        if name == "imageannotation":
            expect(page.get_by_role("img", name="Task image")).to_be_visible()
        if name == "namedentityrecognition":  # marked spans: label colours under the text
            page.locator(".ner-text").focus()
            page.keyboard.press("Digit1")
            page.keyboard.press("ArrowRight")
            page.keyboard.press("ArrowRight")
            page.keyboard.press("Digit2")
            expect(page.locator(".spans li")).to_have_count(2)
        _check(page, f"workspace {name}", findings)
        if name == "categorization":
            page.get_by_role("button", name="Keyboard shortcuts").click()
            expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
            _check(page, "keyboard shortcuts sheet", findings)
            page.get_by_role("button", name="Close").click()
            page.goto(f"{s.url}/work/me")
            expect(page.locator("#labels-done")).to_be_visible()
            _check(page, "/work/me", findings)
        context.close()

    # Review.
    rev = customer.project("categorization", {"categories": CATS, "review": True})
    customer.task("categorization", rev, {"attachment": "https://e.com/r.png"})
    with bearer(s, make_person(s, "annotator")) as worker:
        lease = worker.post("/work/next", json={"project": rev}).json()
        r = worker.post(
            f"/work/assignments/{lease['assignment_id']}/submit",
            json={"response": {"category": "red"}},
        )
        assert r.status_code == 200, r.text
    context = _context(browser)
    page = context.new_page()
    sign_in(page, s, make_person(s, "reviewer"), next=f"/review?project={rev}")
    page.wait_for_url(f"{s.url}/review?project={rev}")
    expect(page.locator("#review-panel")).to_contain_text('"category":"red"')
    _check(page, "review", findings)
    context.close()

    # The customer's projects.
    context = _context(browser)
    page = context.new_page()
    sign_in(page, s, make_person(s, "customer", customer.org_id))
    page.wait_for_url(f"{s.url}/projects")
    expect(page.locator('.chart[data-chart-state="drawn"]')).to_have_count(2)
    _check(page, "/projects", findings)
    page.goto(f"{s.url}/quality")
    expect(page.locator('.chart[data-chart-state="drawn"]')).to_have_count(2)
    _check(page, "/quality", findings)
    context.close()

    assert not findings, "axe found serious/critical violations:\n" + json.dumps(findings, indent=1)


def test_high_contrast_and_the_newer_editors(web_server, browser, customer):
    """High contrast follows prefers-contrast and the header toggle (saved across reloads);
    segmentation, document transcription, data collection and media keys pass axe in normal
    and high contrast, light and dark."""
    import io
    import wave

    s = web_server
    up = customer.api.post("/files/upload", files={"file": ("a.png", png(320, 240))})
    image_url = up.json()["attachment_url"]
    sound = io.BytesIO()
    with wave.open(sound, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(1)
        w.setframerate(8000)
        w.writeframes(bytes([128]) * 8000)
    audio_url = customer.api.post(
        "/files/upload", files={"file": ("a.wav", sound.getvalue())}
    ).json()["attachment_url"]
    projects = []
    for kind, params, body in (
        ("segmentannotation", {"labels": ["sky", "road"]}, {"attachment": image_url}),
        (
            "documenttranscription",
            {"features": [{"label": "title"}]},
            {"attachments": [image_url], "attachment_type": "image"},
        ),
        (
            "datacollection",
            {"fields": {"name": "Name", "site": {"type": "url"}, "logo": {"type": "file"}}},
            {"attachment": "https://example.com/", "attachment_type": "website"},
        ),
        (
            "transcription",
            {"fields": [{"type": "text", "field_id": "t", "title": "Words"}]},
            {"attachments": [{"type": "audio", "content": audio_url}]},
        ),
    ):
        project = customer.project(kind, params)
        customer.task(kind, project, body)
        projects.append((kind, project))
    findings: dict[str, Any] = {}
    context = _context(browser)
    page = _work(context, s, projects[0][1])
    toggle = page.get_by_role("button", name="High contrast")
    bg = "() => getComputedStyle(document.body).backgroundColor"
    # The OS asks for more contrast: applied in light and dark, the toggle shows it.
    page.emulate_media(contrast="more", color_scheme="dark")
    assert page.evaluate(bg) == HIGH_CONTRAST_BG["dark"]
    expect(toggle).to_have_attribute("aria-pressed", "true")
    # The toggle overrides the OS either way, and is remembered.
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "false")
    assert page.evaluate(bg) == BODY_BG["dark"]
    page.emulate_media(contrast="no-preference", color_scheme="light")
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    assert page.evaluate(bg) == HIGH_CONTRAST_BG["light"]
    page.reload()
    expect(page.get_by_role("button", name="High contrast")).to_have_attribute(
        "aria-pressed", "true"
    )
    assert page.evaluate(bg) == HIGH_CONTRAST_BG["light"]
    page.evaluate("() => localStorage.removeItem('lw-contrast')")
    for kind, project in projects:
        page.goto(f"{s.url}/work?project={project}")
        expect(page.locator("#task-title")).not_to_have_text("Loading…")
        if kind in ("segmentannotation", "documenttranscription"):
            expect(page.get_by_role("img", name="Task image")).to_have_attribute(
                "data-ready", "true"
            )
        for contrast, scheme in (("no-preference", "light"), ("more", "light"), ("more", "dark")):
            page.emulate_media(contrast=contrast, color_scheme=scheme)
            want = (HIGH_CONTRAST_BG if contrast == "more" else BODY_BG)[scheme]
            assert page.evaluate(bg) == want, (kind, contrast, scheme)
            found = _axe(page)
            if found:
                findings[f"{kind} ({contrast}, {scheme})"] = found
        if kind == "segmentannotation":
            screenshot(page, "high-contrast-dark-segmentannotation")
    context.close()
    assert not findings, "axe found serious/critical violations:\n" + json.dumps(findings, indent=1)


def _no_horizontal_overflow(page: Any, where: str) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    if width > 375:
        wide = page.evaluate(
            """() => [...document.querySelectorAll('body *')]
                .filter((e) => e.getBoundingClientRect().right > 375)
                .slice(0, 8).map((e) => e.tagName + '.' + e.className + ' ' +
                    Math.round(e.getBoundingClientRect().right))"""
        )
        raise AssertionError(f"{where}: scrollWidth {width} > 375; too wide: {wide}")


def test_text_tasks_by_touch_at_375_px(web_server, browser, customer):
    s = web_server
    # Long unbroken words, a long link and a code block: what customers paste, and what
    # pushes a narrow page sideways unless it wraps or scrolls in its own box.
    long = "https://example.com/" + "a-very-long-path-segment" * 8
    instruction = f"Read {long} first.\n\n```\n{'x = 1; ' * 30}\n```"
    text = customer.project("textcollection", {"fields": FIELDS, "instruction": instruction})
    t1 = customer.task(
        "textcollection",
        text,
        {"attachments": [{"type": "text", "content": f"Say hi to the people on the bus. {long}"}]},
    )
    cat = customer.project("categorization", {"categories": CATS, "allow_multiple": True})
    t2 = customer.task("categorization", cat, {"attachment": "https://e.com/m.png"})
    context = _context(  # bypass_csp for axe only
        browser, viewport={"width": 375, "height": 740}, has_touch=True, is_mobile=True
    )
    page = context.new_page()
    page.goto(f"{s.url}/?next=/work%3Fproject%3D{text}")
    _no_horizontal_overflow(page, "sign-in")
    page.get_by_label("Email").tap()
    page.keyboard.type(make_person(s, "annotator"))
    page.get_by_label("Password").tap()
    page.keyboard.type(PASSWORD)
    page.get_by_role("button", name="Sign in").tap()
    page.wait_for_url(f"{s.url}/work?project={text}")
    expect(page.locator("#task-title")).to_have_text("Write")

    page.get_by_label("Answer *").tap()
    page.keyboard.type("Hello, everyone!")
    page.get_by_label("Score *").tap()
    page.keyboard.type("3")
    page.get_by_label("angry").tap()
    expect(page.get_by_label("angry")).to_be_checked()
    # Touch targets: the radio and its label together at least 44 px high.
    opt = page.locator(".opt", has=page.get_by_label("angry")).bounding_box()
    assert opt["height"] >= 44, opt
    _no_horizontal_overflow(page, "textcollection")
    findings: dict[str, Any] = {}
    _check(page, "textcollection at 375 px", findings)
    assert not findings, "axe found serious/critical violations:\n" + json.dumps(findings, indent=1)
    screenshot(page, "mobile-textcollection")
    page.get_by_role("button", name="Submit").tap()
    expect(page.locator("#task-title")).to_have_text("No work right now")
    expect(page.locator("#sync")).to_have_text("All saved")
    assert customer.get(t1)["response"] == {
        "fields": {"answer": "Hello, everyone!", "score": 3, "tone": "angry"}
    }

    page.goto(f"{s.url}/work?project={cat}")
    expect(page.locator("#task-title")).to_have_text("Categorize")
    page.get_by_role("button", name="yellow").tap()
    page.get_by_role("button", name="red").tap()
    expect(page.get_by_role("button", name="red")).to_have_attribute("aria-pressed", "true")
    _no_horizontal_overflow(page, "categorization")
    screenshot(page, "mobile-categorization")
    page.get_by_role("button", name="Submit").tap()
    expect(page.locator("#task-title")).to_have_text("No work right now")
    expect(page.locator("#sync")).to_have_text("All saved")
    assert customer.get(t2)["response"] == {"category": ["red", "yellow"]}
    _no_horizontal_overflow(page, "workspace, empty")
    page.goto(f"{s.url}/work/me")
    _no_horizontal_overflow(page, "/work/me")
    context.close()
