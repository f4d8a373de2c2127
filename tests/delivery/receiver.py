"""A real loopback HTTP receiver for callbacks, scripted per path."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# (n-th request to this path, 1-based) -> HTTP status to answer; may block to simulate slowness.
Script = Callable[[int], int]


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    status: int

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    base_url: str = ""
    requests: list[Received] = field(default_factory=list)
    scripts: dict[str, Script] = field(default_factory=dict)
    in_flight: set[tuple[str, str]] = field(default_factory=set)
    # (path, delivery id) seen twice at once. Expected only when a sender died mid-request.
    overlaps: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, script: Script | None = None) -> str:
        path = f"/cb/{uuid.uuid4().hex}"
        self.scripts[path] = script or (lambda n: 200)
        return self.base_url + path

    def to(self, url: str) -> list[Received]:
        path = url.removeprefix(self.base_url)
        with self.lock:
            return [r for r in self.requests if r.path == path]

    def overlaps_at(self, url: str) -> list[tuple[str, str]]:
        path = url.removeprefix(self.base_url)
        with self.lock:
            return [o for o in self.overlaps if o[0] == path]

    def wait_for(self, url: str, count: int, timeout: float = 20.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.to(url)
            if len(got) >= count:
                return got
            time.sleep(0.02)
        raise AssertionError(f"{url}: {len(self.to(url))} requests, expected {count}")

    def handle(self, path: str, headers: dict[str, str], body: bytes) -> int:
        delivery = (path, headers.get("labelworks-delivery", ""))
        with self.lock:
            count = sum(1 for r in self.requests if r.path == path) + 1
            if delivery in self.in_flight:
                self.overlaps.append(delivery)
            self.in_flight.add(delivery)
            # Registered before answering, so `count` is right for concurrent requests too.
            self.requests.append(received := Received(path, headers, body, 0))
        try:
            status = self.scripts.get(path, lambda n: 404)(count)
        finally:
            with self.lock:
                self.in_flight.discard(delivery)
        received.status = status
        return status


def serve(receiver: Receiver) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            headers = {k.lower(): v for k, v in self.headers.items()}
            status = receiver.handle(self.path, headers, body)
            try:
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()
            except OSError:
                pass  # the sender is gone (killed mid-delivery)

        def log_message(self, *args: object) -> None:
            pass

    class Server(ThreadingHTTPServer):
        request_queue_size = 256  # two workers open 32 connections at once

    httpd = Server(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    receiver.base_url = f"http://127.0.0.1:{httpd.server_address[1]}"
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd
