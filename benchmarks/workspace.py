"""Annotator workspace latency in headless chromium (issue 11, Benchmark).

    PYTHONPATH=$PWD/src python benchmarks/workspace.py [--tasks 200] [--modes prefetch,no-prefetch]

Starts its own `labelworks serve` (1 worker) on a fresh SQLite data dir, creates an org, and per
mode a categorization project of TASKS + 3 tasks (3 categories, each task its own image URL,
answered by Playwright with a 1x1 PNG so no network is involved) and a fresh annotator. Python
Playwright drives Debian's /usr/bin/chromium (launch args of tests/web/conftest.py); the
annotator signs in on `/`, lands on `/work?project=NAME` and works through TASKS tasks by
keyboard: Digit2 (measured, see below), Digit1 (the answer), Enter (measured). Every stored
response is checked through the API afterwards.

Modes:
- prefetch: the workspace as it is (holds the task on screen plus two more via `POST
  /work/queue` with hold=3; submit is optimistic, the next task comes from the local queue);
- no-prefetch: localStorage `lw.prefetch` = "off" (a switch in frontend/src/workspace/shell.ts):
  the workspace holds a single lease and, after Enter, sends the submission and only then asks
  `POST /work/queue` for the next task - what a workspace without prefetch does.

Method (in the page, not around Playwright round trips, so CDP latency is not counted): before
each key press a probe is armed with `page.evaluate`: a capturing `keydown` listener on `window`
takes t0 = the key event's `timeStamp` (the same clock as `performance.now()`), and a
MutationObserver on `<main>` checks after each DOM change whether the next task is interactive:
a new task image (another `src`), title "Categorize", all category buttons present and enabled,
the Submit button present and enabled. Reported per transition:
- "DOM": `performance.now()` - t0 in the MutationObserver callback that first sees it (the next
  task rendered and enabled in the DOM, ready for the next key);
- "frame": to the second `requestAnimationFrame` after that (the first frame showing it has been
  produced; adds up to one 60 Hz frame of waiting).
Key -> feedback: from Digit2's keydown to the category button's `aria-pressed` turning "true"
(MutationObserver on that attribute), same two columns.

Between tasks the script waits until the workspace has settled (`#sync` says "All saved"; in
prefetch mode at least one task is ready, in no-prefetch mode none): an annotator spends seconds
on a task, so the steady state is measured, not a queue drained by a bot. `--think-ms` adds a
fixed pause on top. How many tasks were ready at each Enter is printed: the top-up sent right
after a submit usually reaches the server before the submission itself, while the submitted
lease still counts as held, so the queue often holds one task ahead rather than two.
"""

from __future__ import annotations

import argparse
import base64
import os
import platform
import re
import shlex
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._harness import pct
from tests.conftest import make_backend, start_server, stop_server
from tests.web.conftest import CHROMIUM, CHROMIUM_ARGS, PASSWORD

CATS = ["red", "blue", "yellow"]
MEDIA = "https://media.bench.invalid"
PNG_1X1 = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)

ARM_NEXT = """(n) => {
  const prev = document.querySelector('#editor img.task-image')?.getAttribute('src');
  let t0 = null;
  const ready = () => {
    const img = document.querySelector('#editor img.task-image');
    if (!img || img.getAttribute('src') === prev) return false;
    if (document.getElementById('task-title').textContent !== 'Categorize') return false;
    const choices = [...document.querySelectorAll('#editor .choices button')];
    if (choices.length !== n || choices.some((b) => b.disabled)) return false;
    const submit = [...document.querySelectorAll('#actions button')]
      .find((b) => b.textContent.startsWith('Submit'));
    return !!submit && !submit.disabled;
  };
  window.__probe = new Promise((resolve) => {
    const obs = new MutationObserver(() => {
      if (t0 === null || !ready()) return;
      obs.disconnect();
      const dom = performance.now() - t0;
      requestAnimationFrame(() => requestAnimationFrame(
        () => resolve({ dom, frame: performance.now() - t0 })));
    });
    obs.observe(document.querySelector('main') ?? document.body,
      { childList: true, subtree: true, characterData: true, attributes: true });
    const onKey = (e) => {
      if (e.code !== 'Enter') return;
      window.removeEventListener('keydown', onKey, true);
      t0 = e.timeStamp;
    };
    window.addEventListener('keydown', onKey, true);
  });
}"""

ARM_KEY = """(index) => {
  const btn = document.querySelectorAll('#editor .choices button')[index];
  let t0 = null;
  window.__probe = new Promise((resolve) => {
    const obs = new MutationObserver(() => {
      if (t0 === null || btn.getAttribute('aria-pressed') !== 'true') return;
      obs.disconnect();
      const dom = performance.now() - t0;
      requestAnimationFrame(() => requestAnimationFrame(
        () => resolve({ dom, frame: performance.now() - t0 })));
    });
    obs.observe(btn, { attributes: true, attributeFilter: ['aria-pressed'] });
    const onKey = (e) => {
      if (e.code !== 'Digit' + (index + 1)) return;
      window.removeEventListener('keydown', onKey, true);
      t0 = e.timeStamp;
    };
    window.addEventListener('keydown', onKey, true);
  });
}"""


def setup(server: Any, tasks: int) -> tuple[str, str, list[str], httpx.Client]:
    """-> (project, annotator email, task ids, customer API client) for one mode."""
    from labelworks.services import users

    _, key = server.backend.new_org("wsbench")
    api = httpx.Client(base_url=server.v1, auth=(key, ""), timeout=30)
    project = f"ws-{uuid.uuid4().hex[:8]}"
    r = api.post(
        "/projects",
        json={"name": project, "type": "categorization", "params": {"categories": CATS}},
    )
    r.raise_for_status()
    ids = []
    for i in range(tasks):
        r = api.post(
            "/task/categorization",
            json={"project": project, "attachment": f"{MEDIA}/{project}/{i}.png"},
        )
        r.raise_for_status()
        ids.append(r.json()["task_id"])
    email = f"annotator-{uuid.uuid4().hex[:8]}@example.com"
    with server.backend.db.write() as session:
        users.create_user(session, email, "annotator", PASSWORD, None)
    return project, email, ids, api


def run_mode(browser: Any, server: Any, mode: str, n: int, think_ms: int) -> dict[str, Any]:
    from playwright.sync_api import expect

    project, email, ids, api = setup(server, n + 3)
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    context.route(
        f"{MEDIA}/**",
        lambda route: route.fulfill(status=200, content_type="image/png", body=PNG_1X1),
    )
    if mode == "no-prefetch":
        context.add_init_script("localStorage.setItem('lw.prefetch', 'off')")
    page = context.new_page()
    page.goto(f"{server.url}/?next=" + quote(f"/work?project={project}"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{server.url}/work?project={project}")
    expect(page.locator("#task-title")).to_have_text("Categorize")
    ready = re.compile(r"^[12] ready$" if mode == "prefetch" else r"^0 ready$")
    depth: dict[str, int] = {}
    submit_dom, submit_frame, key_dom, key_frame = [], [], [], []
    for _ in range(n):
        expect(page.locator("#sync")).to_have_text("All saved")
        expect(page.locator("#queue-info")).to_have_text(ready)
        if think_ms:
            page.wait_for_timeout(think_ms)
        page.evaluate(ARM_KEY, 1)
        page.keyboard.press("Digit2")
        r = page.evaluate("window.__probe")
        key_dom.append(r["dom"])
        key_frame.append(r["frame"])
        page.keyboard.press("Digit1")
        expect(page.get_by_role("button", name="red 1")).to_have_attribute("aria-pressed", "true")
        shown = page.locator("#queue-info").text_content() or ""
        depth[shown] = depth.get(shown, 0) + 1
        page.evaluate(ARM_NEXT, len(CATS))
        page.keyboard.press("Enter")
        r = page.evaluate("window.__probe")
        submit_dom.append(r["dom"])
        submit_frame.append(r["frame"])
    expect(page.locator("#sync")).to_have_text("All saved")
    context.close()
    answered = [api.get(f"/task/{t}").json().get("response") for t in ids]
    api.close()
    right = sum(1 for a in answered if a == {"category": "red"})
    if right != n or any(a not in (None, {"category": "red"}) for a in answered):
        raise SystemExit(f"{mode}: {right} of {n} tasks stored {{'category': 'red'}}: {answered}")
    return {
        "submit_dom": submit_dom,
        "submit_frame": submit_frame,
        "key_dom": key_dom,
        "key_frame": key_frame,
        "depth": depth,
    }


def fmt(values: list[float]) -> str:
    return f"{pct(values, 50):6.1f} {pct(values, 95):6.1f} {max(values):6.1f}"


def chromium_version() -> str:
    try:
        return subprocess.run(
            [str(CHROMIUM), "--version"], capture_output=True, text=True, timeout=30
        ).stdout.strip()
    except OSError:
        return "?"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tasks", type=int, default=200)
    ap.add_argument("--modes", default="prefetch,no-prefetch")
    ap.add_argument("--think-ms", type=int, default=0)
    args = ap.parse_args()
    if not CHROMIUM.exists():
        raise SystemExit(f"{CHROMIUM} is absent (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    load_before = os.getloadavg()
    backend = make_backend("sqlite", Path(tempfile.mkdtemp(prefix="lw-wsbench-")))
    server = start_server(backend)
    results: dict[str, dict[str, Any]] = {}
    started = time.monotonic()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            for mode in args.modes.split(","):
                results[mode] = run_mode(browser, server, mode, args.tasks, args.think_ms)
            browser.close()
    finally:
        stop_server(server)
        backend.dispose()
    load_after = os.getloadavg()

    env = "PYTHONPATH=$PWD/src " if os.environ.get("PYTHONPATH") else ""
    print(f"command: {env}{shlex.join([Path(sys.executable).name, *sys.argv])}")
    print(
        f"machine: {platform.platform()}, {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, {chromium_version()} headless"
    )
    print(
        "load average (1/5/15 min): before "
        + "/".join(f"{x:.2f}" for x in load_before)
        + ", after "
        + "/".join(f"{x:.2f}" for x in load_after)
        + f"; {time.monotonic() - started:.0f} s"
    )
    print(f"{args.tasks} categorization tasks per mode, SQLite, `labelworks serve --workers 1`")
    print()
    rows = [
        ("submit -> next task interactive, DOM", "submit_dom"),
        ("submit -> next task interactive, frame", "submit_frame"),
        ("Digit2 -> aria-pressed, DOM", "key_dom"),
        ("Digit2 -> aria-pressed, frame", "key_frame"),
    ]
    print(f"{'ms':40} {'mode':12} {'p50':>6} {'p95':>6} {'max':>6}")
    for label, key in rows:
        for mode, r in results.items():
            print(f"{label:40} {mode:12} {fmt(r[key])}")
    for mode, r in results.items():
        depth = ", ".join(f"{k}: {v}" for k, v in sorted(r["depth"].items()))
        print(f"queue at each Enter, {mode}: {depth}")


if __name__ == "__main__":
    main()
