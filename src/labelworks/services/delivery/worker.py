"""The delivery worker: claim due callbacks, send them concurrently, record what happened.

One loop per worker owns the database work; a small thread pool does the HTTP. Each turn of the
loop is a single write transaction that records the finished sends and claims as many new
messages as there are free threads, so the database sees few, short transactions and no
transaction is ever open while a request is on the wire. Several workers (server processes and
`labelworks worker`) run side by side; leases keep them off each other's messages.
"""

from __future__ import annotations

import logging
import os
import queue
import secrets
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx

from labelworks.db.database import Database
from labelworks.services.delivery.claims import Job, Outcome, any_due, claim, record
from labelworks.services.delivery.sender import make_client, send
from labelworks.settings import Settings

log = logging.getLogger("labelworks.delivery")

MAX_ERROR_PAUSE_SECONDS = 30.0
GATHER_SECONDS = 0.005


def new_worker_id() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(4)}"


class DeliveryWorker:
    """Delivers outbox messages until `stop()` is called; `run()` blocks (call it in a thread)."""

    def __init__(
        self, db: Database, settings: Settings | None = None, concurrency: int | None = None
    ) -> None:
        self.db = db
        self.settings = settings or db.settings
        self.concurrency = max(1, concurrency or self.settings.delivery_concurrency)
        self.worker_id = new_worker_id()
        self._stop = threading.Event()
        self._results: queue.Queue[Outcome | None] = queue.Queue()
        self._unrecorded: list[Outcome] = []
        self._in_flight = 0
        self._maybe_more = True  # skip the "anything due?" read right after a full claim
        self._error_pause = 0.0
        self.delivered = 0  # successful sends, for the log

    def stop(self) -> None:
        self._stop.set()
        self._results.put(None)  # wake the loop if it is waiting for results

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def run(self) -> None:
        log.info("delivery worker %s started (%d concurrent)", self.worker_id, self.concurrency)
        with (
            make_client(self.settings) as client,
            ThreadPoolExecutor(self.concurrency, thread_name_prefix="labelworks-send") as pool,
        ):
            while not self._stop.is_set():
                self._turn_safely(pool, client)
            self._finish()
        log.info(
            "delivery worker %s stopped after %d successful deliveries",
            self.worker_id,
            self.delivered,
        )

    def _turn_safely(self, pool: ThreadPoolExecutor, client: httpx.Client) -> None:
        try:
            self._turn(pool, client)
            self._error_pause = 0.0
        except Exception:  # the database may be restarting: log, pause, try again
            self._error_pause = min(MAX_ERROR_PAUSE_SECONDS, max(0.5, 2 * self._error_pause))
            log.exception("delivery turn failed; retrying in %.1f s", self._error_pause)
            self._stop.wait(self._error_pause)
            return
        # Idle, or every thread busy: sleep until a send finishes or the next poll is due.
        if not self._unrecorded:
            self._collect(wait=self.settings.delivery_poll_seconds)
        self._gather_more()

    def _turn(self, pool: ThreadPoolExecutor, client: httpx.Client) -> None:
        """Record finished sends and claim new ones, in one transaction."""
        self._collect()
        free = self.concurrency - self._in_flight
        if not self._unrecorded and (free <= 0 or not self._anything_due()):
            return
        done = self._unrecorded
        with self.db.write() as session:
            record(session, self.worker_id, done, self.settings)
            jobs = claim(session, self.worker_id, free, self.settings) if free > 0 else []
        self._unrecorded = []
        self._in_flight -= len(done)
        self.delivered += sum(1 for outcome in done if outcome.ok)
        self._maybe_more = free > 0 and len(jobs) == free
        for job in jobs:
            self._in_flight += 1
            pool.submit(self._send, job, client)

    def _send(self, job: Job, client: httpx.Client) -> None:
        self._results.put(send(job, client, self.settings))

    def _anything_due(self) -> bool:
        if self._maybe_more:
            return True
        with self.db.read() as session:
            return any_due(session)

    def _collect(self, wait: float = 0.0) -> None:
        """Move finished sends to `_unrecorded`; wait up to `wait` seconds for the first one."""
        try:
            item = self._results.get(timeout=wait) if wait > 0 else self._results.get_nowait()
        except queue.Empty:
            return
        while True:
            if item is not None:
                self._unrecorded.append(item)
            try:
                item = self._results.get_nowait()
            except queue.Empty:
                return

    def _gather_more(self) -> None:
        """Under load, wait a moment for more sends to finish, so one transaction records many."""
        deadline = time.monotonic() + GATHER_SECONDS
        while (
            self._unrecorded
            and len(self._unrecorded) * 2 < self._in_flight
            and (left := deadline - time.monotonic()) > 0
        ):
            self._collect(wait=left)

    def _finish(self) -> None:
        """On shutdown: claim nothing more, let the sends in flight end, record them."""
        deadline = self.settings.callback_timeout_seconds + 5.0
        while self._in_flight - len(self._unrecorded) > 0 and deadline > 0:
            self._collect(wait=0.1)
            deadline -= 0.1
        try:
            with self.db.write() as session:
                record(session, self.worker_id, self._unrecorded, self.settings)
            self._in_flight -= len(self._unrecorded)
            self._unrecorded = []
        except Exception:  # their leases expire and they are sent again: at-least-once
            log.exception("could not record %d finished deliveries", len(self._unrecorded))


def start_background(db: Database) -> Callable[[], None]:
    """Start delivering in a background thread of this process; returns a function that stops it."""
    worker = DeliveryWorker(db)
    thread = threading.Thread(target=worker.run, name="labelworks-delivery", daemon=True)
    thread.start()

    def stop() -> None:
        worker.stop()
        thread.join(timeout=worker.settings.callback_timeout_seconds + 10.0)

    return stop
