"""The workspace editors added last, in a real browser against a live server: segmentation,
document transcription regions, data collection files, media keys. Each test completes a task
with keyboard and mouse and checks the stored response is exactly what was drawn or typed."""

from __future__ import annotations

import base64
import io
from typing import Any

import numpy as np
import pytest
from playwright.sync_api import expect

from tests.web.conftest import bearer, make_person, screenshot, sign_in
from tests.web.image_harness import png

pytestmark = pytest.mark.ui_on_sqlite  # see tests/conftest.py


def _open_work(page: Any, server: Any, project: str) -> str:
    email = make_person(server, "annotator")
    sign_in(page, server, email, next=f"/work?project={project}")
    page.wait_for_url(f"{server.url}/work?project={project}")
    expect(page.locator("#task-title")).not_to_have_text("Loading…")
    return email


def _done(page: Any) -> None:
    expect(page.locator("#task-title")).to_have_text("No work right now")
    expect(page.locator("#sync")).to_have_text("All saved")


class Surface:
    """The `Task image` surface at fit-to-screen: image pixels to screen points."""

    def __init__(self, page: Any, width: int) -> None:
        surface = page.get_by_role("img", name="Task image")
        expect(surface).to_have_attribute("data-ready", "true")
        self.box = surface.bounding_box()
        self.scale = self.box["width"] / width
        self.page = page

    def at(self, x: float, y: float) -> tuple[float, float]:
        return self.box["x"] + x * self.scale, self.box["y"] + y * self.scale

    def drag(self, *points: tuple[float, float]) -> None:
        m = self.page.mouse
        m.move(*self.at(*points[0]))
        m.down()
        for p in points[1:]:
            m.move(*self.at(*p), steps=4)
        m.up()


def _decode(uri: str) -> np.ndarray:
    from PIL import Image

    raw = base64.b64decode(uri.split(",", 1)[1])
    with Image.open(io.BytesIO(raw)) as image:
        assert image.mode == "L"
        return np.asarray(image).copy()


def test_segmentation_brush_undo_polygon_fill_exact_pixels(web_server, page, customer):
    width, height = 200, 150
    up = customer.api.post("/files/upload", files={"file": ("seg.png", png(width, height))})
    assert up.status_code == 200, up.text
    project = customer.project(
        "segmentannotation", {"labels": ["sky", "road", "car"], "allow_unlabeled": True}
    )
    task = customer.task("segmentannotation", project, {"attachment": up.json()["attachment_url"]})
    _open_work(page, web_server, project)
    s = Surface(page, width)
    assert s.scale > 2  # a small image is shown enlarged: corners are hit to the pixel
    # A brush stroke with label 1, then undone: nothing of it stays.
    page.keyboard.press("Digit1")
    s.drag((20, 20), (60, 25), (90, 40))
    expect(page.get_by_text("0 labelled pixels")).to_have_count(0)
    page.keyboard.press("BracketRight")  # a larger brush
    expect(page.get_by_text("Brush 5 px")).to_be_visible()  # 4 at this image size
    page.keyboard.press("Control+KeyZ")
    expect(page.get_by_text("0 labelled pixels")).to_be_visible()
    # Label 2, polygon fill of the rectangle x 40..120, y 30..90 (corners snap to pixel corners).
    page.keyboard.press("Digit2")
    page.keyboard.press("KeyP")
    for corner in ((40, 30), (120, 30), (120, 90), (40, 90), (40, 30)):
        page.mouse.click(*s.at(*corner))
    expect(page.get_by_text("4800 labelled pixels")).to_be_visible()
    # The eraser and the brush work on the same raster: paint and erase outside the rectangle.
    page.keyboard.press("KeyB")
    s.drag((160, 120), (180, 130))
    page.keyboard.press("KeyE")
    page.keyboard.press("BracketRight")
    page.keyboard.press("BracketRight")
    s.drag((160, 120), (180, 130))
    page.keyboard.press("BracketLeft")
    expect(page.get_by_text("4800 labelled pixels")).to_be_visible()
    page.keyboard.press("KeyO")  # overlay hidden and shown again
    page.keyboard.press("KeyO")
    screenshot(page, "editor-segmentannotation")
    page.keyboard.press("Enter")
    _done(page)
    stored = customer.get(task)["response"]
    assert stored["labelMapping"]["road"]["index"] == 2
    pixels = _decode(stored["annotations"]["combined"]["indexedImage"])
    want = np.zeros((height, width), dtype=np.uint8)
    want[30:90, 40:120] = 2
    assert pixels.shape == (height, width)
    assert np.array_equal(pixels, want), np.argwhere(pixels != want)[:5]


def test_document_regions_on_two_pages_in_reading_order(web_server, page, customer):
    urls = []
    for name in ("p1.png", "p2.png"):
        up = customer.api.post("/files/upload", files={"file": (name, png(400, 300))})
        assert up.status_code == 200, up.text
        urls.append(up.json()["attachment_url"])
    features = [{"label": "title", "required": True}, {"label": "body"}]
    project = customer.project("documenttranscription", {"features": features})
    task = customer.task(
        "documenttranscription",
        project,
        {"attachments": urls, "attachment_type": "image"},
    )
    _open_work(page, web_server, project)
    s = Surface(page, 400)
    page.keyboard.press("Digit1")  # title
    s.drag((20, 10), (200, 30), (380, 50))
    page.keyboard.press("Digit2")  # body
    s.drag((20, 80), (200, 150), (380, 280))
    page.get_by_label("Region 1: title").fill("Annual report")
    page.get_by_label("Region 2: body").fill("Revenue grew.")
    # Alt+Up moves the body region first in the reading order.
    page.get_by_label("Region 2: body").press("Alt+ArrowUp")
    expect(page.get_by_label("Region 1: body")).to_have_value("Revenue grew.")
    page.get_by_role("button", name="Page 2").click()
    s = Surface(page, 400)
    page.keyboard.press("Digit2")
    s.drag((40, 40), (100, 100), (200, 120))
    page.get_by_label("Region 1: body").fill("Page two text")
    screenshot(page, "editor-documenttranscription")
    page.get_by_label("Region 1: body").press("Control+Enter")
    _done(page)
    got = customer.get(task)["response"]["annotations"]
    simple = [
        (r["page"], r["reading_order"], r["label"], r["text"], r["location"]["type"]) for r in got
    ]
    assert simple == [
        (0, 0, "body", "Revenue grew.", "box"),
        (0, 1, "title", "Annual report", "box"),
        (1, 0, "body", "Page two text", "box"),
    ]
    tol = 2 / s.scale
    title = got[1]["location"]
    for key, want in (("left", 20), ("top", 10), ("width", 360), ("height", 40)):
        assert abs(title[key] - want) <= tol, (key, title[key], want)


def test_data_collection_with_url_and_uploaded_files(web_server, page, customer):
    fields = {
        "company": "The company's name",
        "site": {"type": "url", "description": "Its website"},
        "logo": {"type": "file"},
        "docs": {"type": "file", "multiple": True, "required": False},
    }
    project = customer.project("datacollection", {"fields": fields})
    task = customer.task(
        "datacollection",
        project,
        {"attachment": "https://example.com/acme", "attachment_type": "website"},
    )
    email = _open_work(page, web_server, project)
    page.get_by_label("company *").fill("Acme")
    page.get_by_label("site *").fill("not a url")
    logo = png(16, 16)
    page.get_by_label("logo *").set_input_files(
        files=[{"name": "logo.png", "mimeType": "image/png", "buffer": logo}]
    )
    expect(page.get_by_text("Uploaded logo.png")).to_be_visible()
    page.get_by_label("docs").set_input_files(
        files=[
            {"name": "a.txt", "mimeType": "text/plain", "buffer": b"first"},
            {"name": "b.txt", "mimeType": "text/plain", "buffer": b"second"},
        ]
    )
    expect(page.get_by_role("button", name="Remove b.txt")).to_be_visible()
    page.get_by_role("button", name="Remove a.txt").click()
    page.get_by_label("company *").press("Control+Enter")
    expect(page.locator("#message")).to_contain_text("incomplete")  # the URL is not one
    page.get_by_label("site *").fill("https://acme.example.com/")
    screenshot(page, "editor-datacollection")
    page.get_by_label("site *").press("Control+Enter")
    _done(page)
    got = customer.get(task)["response"]["fields"]
    assert got["company"] == "Acme" and got["site"] == "https://acme.example.com/"
    assert got["logo"]["name"] == "logo.png" and got["logo"]["content_type"] == "image/png"
    assert [d["name"] for d in got["docs"]] == ["b.txt"]
    # The customer reads the uploads as its own files.
    path = got["logo"]["url"].split("/v1", 1)[1]
    assert customer.api.get(path).content == logo
    assert customer.api.get(got["docs"][0]["url"].split("/v1", 1)[1]).content == b"second"
    # Uploading needs a live lease of one's own: the submitted assignment takes no more files.
    with bearer(web_server, email) as worker:
        r = worker.post("/work/queue/999999999/files", files={"file": ("x.txt", b"x")})
        assert r.status_code == 404, r.text


def _wav(seconds: int) -> bytes:
    import wave

    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(1)
        w.setframerate(8000)
        w.writeframes(bytes([128]) * 8000 * seconds)
    return out.getvalue()


def test_audio_playback_keys_in_a_transcription(web_server, page, customer):
    up = customer.api.post("/files/upload", files={"file": ("talk.wav", _wav(20))})
    assert up.status_code == 200, up.text
    fields = [{"type": "text", "field_id": "words", "title": "Words"}]
    project = customer.project("transcription", {"fields": fields})
    task = customer.task(
        "transcription",
        project,
        {"attachments": [{"type": "audio", "content": up.json()["attachment_url"]}]},
    )
    _open_work(page, web_server, project)
    audio = page.locator("audio")
    expect(audio).to_have_js_property("readyState", 4)

    def state() -> dict[str, Any]:
        return audio.evaluate("a => ({t: a.currentTime, paused: a.paused, rate: a.playbackRate})")

    expect(page.get_by_role("button", name="Forward 5 s")).to_contain_text("L")
    page.locator("#task-title").click()  # keys act outside the text field
    page.keyboard.press("KeyL")
    page.keyboard.press("KeyL")
    expect(audio).to_have_js_property("currentTime", 10)
    page.keyboard.press("KeyJ")
    expect(audio).to_have_js_property("currentTime", 5)
    page.keyboard.press("Period")
    assert state()["rate"] == 1.25
    expect(page.locator(".media-speed")).to_contain_text("1.25")
    page.keyboard.press("Comma")
    page.keyboard.press("Comma")
    assert state()["rate"] == 0.75
    page.keyboard.press("KeyK")
    expect(audio).to_have_js_property("paused", False)
    page.keyboard.press("KeyK")
    expect(audio).to_have_js_property("paused", True)
    paused_at = state()["t"]  # how far it played depends on the machine's load
    # While typing the letters are text (no seek, no play); Ctrl+Space plays and pauses.
    words = page.get_by_label("Words *")
    words.press_sequentially("jkl")
    now = state()
    assert now["paused"] and abs(now["t"] - paused_at) < 0.01
    words.press("Control+Space")
    expect(audio).to_have_js_property("paused", False)
    words.press("Control+Space")
    expect(audio).to_have_js_property("paused", True)
    page.locator("#task-title").click()
    page.keyboard.press("Shift+Slash")
    expect(page.get_by_role("dialog")).to_contain_text("Media: back / forward 5 s")
    screenshot(page, "editor-transcription-audio")
    page.keyboard.press("Escape")
    words.press("Control+Enter")
    _done(page)
    assert customer.get(task)["response"] == {"fields": {"words": "jkl"}}
