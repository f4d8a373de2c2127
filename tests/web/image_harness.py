"""A small static server and a Debian chromium for the image editor's browser tests and benchmark.

The harness page (tests/web/harness/image.html) loads the built bundle
src/labelworks/web/static/js/image-harness.js; images are PNGs made here, so nothing is fetched.
"""

from __future__ import annotations

import shutil
import struct
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
HARNESS = ROOT / "tests" / "web" / "harness"
STATIC_JS = ROOT / "src" / "labelworks" / "web" / "static" / "js"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def chromium_path() -> str | None:
    return CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")


def png(width: int, height: int) -> bytes:
    """An RGB PNG with a coarse gradient and grid (something visible to draw on)."""
    import numpy as np

    y, x = np.mgrid[0:height, 0:width]
    img = np.empty((height, width, 3), dtype=np.uint8)
    img[..., 0] = (x * 255 // max(1, width - 1)).astype(np.uint8)
    img[..., 1] = (y * 255 // max(1, height - 1)).astype(np.uint8)
    img[..., 2] = np.where(((x // 64) + (y // 64)) % 2 == 0, 90, 160).astype(np.uint8)
    raw = np.concatenate([np.zeros((height, 1), dtype=np.uint8), img.reshape(height, -1)], axis=1)

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw.tobytes(), 1))
        + chunk(b"IEND", b"")
    )


class _Handler(SimpleHTTPRequestHandler):
    images: dict[str, bytes] = {}

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def translate_path(self, path: str) -> str:
        path = path.split("?", 1)[0]
        if path.startswith("/static/js/"):
            return str(STATIC_JS / Path(path).name)
        return str(HARNESS / Path(path).name)

    def do_GET(self) -> None:
        name = self.path.split("?", 1)[0]
        if name.startswith("/images/") and name[len("/images/") :] in self.images:
            body = self.images[name[len("/images/") :]]
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()


@contextmanager
def harness_server(images: dict[str, bytes]) -> Iterator[str]:
    """Serve the harness, the built bundle and `images` (name -> PNG) at /images/NAME."""
    handler = type("Handler", (_Handler,), {"images": images})
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(HARNESS)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
