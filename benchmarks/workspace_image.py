"""Image editor frame times in headless chromium (issue 11, Benchmark).

    python benchmarks/workspace_image.py [--frames 300] [--polygons 0,500] [--size 4096]

For each shape count, a SIZE x SIZE image is mounted in the harness page (tests/web/harness)
with that many polygons (10-16 vertices each) as the starting response, then:
- pan+zoom frames: every animation frame moves the view (a pan gesture, then a zoom in and out
  about the cursor, as a wheel gesture does) and the interval between frames is recorded;
  intervals are capped below by the display's 60 Hz, so p95 <= 16.7 ms means no frame missed;
- draw cost: the same view changes with all three Konva layers drawn synchronously, timed
  alone (the CPU cost of one frame);
- key -> feedback: from a label key's keydown to the frame after its button shows pressed, and
  from an arrow key's keydown (nudging a selected polygon) to the frame after the redraw.
Needs Debian's chromium (/usr/bin/chromium) and the Python `playwright` package.
"""

from __future__ import annotations

import argparse
import math
import platform
import random
import statistics
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.web.image_harness import CHROMIUM_ARGS, chromium_path, harness_server, png

FRAME_LOOP = """async ([frames, sync]) => {
  const ed = window.__editor.debug;
  const v0 = ed.view();
  const out = [];
  const viewAt = (i) => {
    const t = i / frames;
    if (t < 0.5) {  // pan across the image at 1.5x fit
      const s = v0.fit * 1.5;
      return [s, -200 * Math.sin(t * 4 * Math.PI) - 100, -150 * Math.cos(t * 4 * Math.PI) - 100];
    }
    const z = v0.fit * Math.exp(2.5 * Math.sin((t - 0.5) * 2 * Math.PI));  // zoom in to ~12x and back
    const cx = 300, cy = 250;  // about a fixed cursor point
    return [z, cx - (cx / v0.fit) * z, cy - (cy / v0.fit) * z];
  };
  if (sync) {
    for (let i = 0; i < frames; i++) {
      const [s, x, y] = viewAt(i);
      const t0 = performance.now();
      ed.drawAt(s, x, y);
      out.push(performance.now() - t0);
    }
    ed.setView(v0.fit, 0, 0);
    return out;
  }
  return await new Promise((resolve) => {
    let i = 0, last = 0;
    const step = (now) => {
      if (last) out.push(now - last);
      last = now;
      if (i >= frames) { ed.setView(v0.fit, 0, 0); resolve(out); return; }
      const [s, x, y] = viewAt(i++);
      ed.setView(s, x, y);
      requestAnimationFrame(step);
    };
    requestAnimationFrame(step);
  });
}"""

KEY_PROBE = """([code, selector]) => {
  window.__probe = null;
  const resolve = (r) => { window.__probe = r; };
  const onKey = (e) => {
    if (e.code !== code) return;
    window.removeEventListener('keydown', onKey, true);
    const t0 = e.timeStamp;
    // after the editor handled the key: the next frame is the first showing the change
    setTimeout(() => requestAnimationFrame(() => requestAnimationFrame(
      () => resolve({ ms: performance.now() - t0, ok: !selector || !!document.querySelector(selector) }))));
  };
  window.addEventListener('keydown', onKey, true);
}"""


def key_to_frame(page: Any, code: str, selector: str | None) -> float:
    page.evaluate(KEY_PROBE, [code, selector])
    page.keyboard.press(code)
    result = page.wait_for_function("window.__probe").json_value()
    assert result["ok"], f"no visible feedback for {code}"
    return float(result["ms"])


def polygons(n: int, size: int, seed: int = 0) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        cx, cy = rng.uniform(150, size - 150), rng.uniform(150, size - 150)
        r, k = rng.uniform(30, 140), rng.randint(10, 16)
        vertices = [
            {
                "x": round(cx + r * rng.uniform(0.6, 1) * math.cos(2 * math.pi * j / k), 1),
                "y": round(cy + r * rng.uniform(0.6, 1) * math.sin(2 * math.pi * j / k), 1),
            }
            for j in range(k)
        ]
        label = ("building", "tree", "car")[i % 3]
        out.append({"type": "polygon", "uuid": f"p{i}", "label": label, "vertices": vertices})
    return out


def span(values: list[float]) -> str:
    return f"{statistics.median(values):.1f} / {pct(values, 95):.1f} ms"


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def run(frames: int, counts: list[int], size: int) -> None:
    from playwright.sync_api import sync_playwright

    exe = chromium_path()
    if exe is None:
        sys.exit("chromium is not installed (apt-get install -y chromium)")
    params = {
        "attachment": "/images/big.png",
        "geometries": {
            "polygon": {"objects_to_annotate": ["building", "tree", "car"]},
            "box": {"objects_to_annotate": ["sign"]},
        },
    }
    print(
        f"machine: {platform.machine()}, {platform.system()} {platform.release()}, "
        f"python {platform.python_version()}; image {size}x{size}; {frames} frames"
    )
    with harness_server({"big.png": png(size, size)}) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        print(f"chromium {browser.version}, headless, --disable-gpu (software rendering)")
        print(
            "| polygons | frame interval p50 / p95 | draw cost p50 / p95 (pan; zoom) "
            "| label key -> frame "
            "| arrow nudge -> frame |"
        )
        print("|---|---|---|---|---|")
        for n in counts:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"{url}/image.html")
            task = {"assignment_id": 1, "task_id": "b", "type": "imageannotation", "params": params}
            initial = {"annotations": polygons(n, size)}
            page.evaluate("([t, i]) => window.__mount(t, i)", [task, initial])
            page.evaluate(FRAME_LOOP, [30, False])  # warm up (mipmaps, JIT)
            intervals = page.evaluate(FRAME_LOOP, [frames, False])
            draws = page.evaluate(FRAME_LOOP, [frames, True])
            keys = []
            for i in range(20):
                code = "Digit2" if i % 2 else "Digit1"
                keys.append(key_to_frame(page, code, "[aria-pressed=true]"))
            nudges = []
            if n:
                page.keyboard.press("Escape")
                page.evaluate("window.__editor.debug.select('p0')")
                for _ in range(20):
                    nudges.append(key_to_frame(page, "ArrowRight", None))
            nudge = (
                f"{statistics.median(nudges):.1f} / {pct(nudges, 95):.1f} ms" if nudges else "n/a"
            )
            print(
                f"| {n} | {statistics.median(intervals):.1f} / {pct(intervals, 95):.1f} ms "
                f"| {span(draws[: frames // 2])}; {span(draws[frames // 2 :])} "
                f"| {statistics.median(keys):.1f} / {pct(keys, 95):.1f} ms | {nudge} |"
            )
            page.close()
        browser.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--frames", type=int, default=300)
    ap.add_argument("--polygons", default="0,500")
    ap.add_argument("--size", type=int, default=4096)
    a = ap.parse_args()
    run(a.frames, [int(c) for c in a.polygons.split(",")], a.size)


if __name__ == "__main__":
    main()
