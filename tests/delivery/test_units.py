"""In-process checks: signatures, the backoff schedule, the SSRF guard, surviving DB errors."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from labelworks.db.database import Database
from labelworks.db.tables import OutboxMessage
from labelworks.services.delivery import signing
from labelworks.services.delivery.backoff import retry_delay, total_schedule_seconds
from labelworks.services.delivery.claims import Job
from labelworks.services.delivery.outbox import enqueue
from labelworks.services.delivery.sender import send
from labelworks.services.delivery.worker import DeliveryWorker
from labelworks.services.orgs import create_org
from labelworks.settings import Settings
from tests.delivery.conftest import wait_until

BODY = b'{"task_id":"t1"}'


def test_signature_verifies_and_rejects_tampering_wrong_keys_and_stale_timestamps():
    header = signing.sign("s3cret", BODY)
    assert signing.verify("s3cret", header, BODY)
    assert not signing.verify("s3cret", header, BODY + b" ")
    assert not signing.verify("other", header, BODY)
    old = signing.sign("s3cret", BODY, timestamp=1_000_000)
    assert not signing.verify("s3cret", old, BODY)
    assert signing.verify("s3cret", old, BODY, now=1_000_100)
    assert not signing.verify("s3cret", "garbage", BODY)


def test_default_backoff_fits_twenty_attempts_in_about_a_day():
    settings = Settings(_env_file=None)
    assert settings.callback_max_attempts == 20
    assert 23 * 3600 <= total_schedule_seconds(settings) <= 25 * 3600
    rng = random.Random(1)
    delays = [retry_delay(n, settings, rng) for n in range(1, 20)]
    assert 24 <= delays[0] <= 36 and max(delays) <= 2 * 3600 * 1.2
    assert delays[-1] > delays[0] * 100


def test_a_refused_callback_url_is_an_error_not_an_exception():
    job = Job(1, 1, "http://127.0.0.1:9/x", {"a": 1}, "secret", None)
    with httpx.Client() as client:
        outcome = send(job, client, Settings(allow_private_urls=False))
    assert outcome.status_code is None and not outcome.ok
    assert outcome.error.startswith("refused:") and "non-public" in outcome.error
    job = Job(1, 1, "ftp://example.com/x", {"a": 1}, "secret", None)
    with httpx.Client() as client:
        assert "http(s)" in send(job, client, Settings()).error


class FlakyDatabase(Database):
    """Fails its first write transactions, as a restarting database would."""

    failures = 2

    @contextmanager
    def write(self) -> Iterator[Session]:
        if self.failures:
            self.failures -= 1
            raise OperationalError("BEGIN", {}, Exception("database is unavailable"))
        with super().write() as session:
            yield session


def test_worker_survives_database_errors_and_stops_cleanly(tmp_path, receiver):
    settings = Settings(
        data_dir=tmp_path, database_url=None, allow_private_urls=True, delivery_poll_seconds=0.05
    )
    db = FlakyDatabase.open(settings)
    url = receiver.url()
    with Database.write(db) as session:
        org, _ = create_org(session, "flaky")
        enqueue(session, org.id, "task", url, {"task_id": "t1"})
    worker = DeliveryWorker(db)
    thread = threading.Thread(target=worker.run)
    thread.start()
    try:
        [request] = receiver.wait_for(url, 1, timeout=10)
        assert request.json == {"task_id": "t1"}
        with db.read() as session:
            wait_until(
                lambda: (
                    session.scalar(select(OutboxMessage.status)) == "succeeded"
                    or session.rollback()
                )
            )
    finally:
        worker.stop()
        thread.join(5)
    assert not thread.is_alive() and db.failures == 0
    db.engine.dispose()


def test_a_failed_sends_error_never_names_the_callback_host():
    """Callback URLs are sealed customer content; the delivery log's error text is stored in the
    clear, so it must not carry the URL or its host."""
    settings = Settings(allow_private_urls=False)
    with httpx.Client() as client:
        for url in ("https://qzx-nohost.invalid/cb", "http://127.0.0.1:9/private-qzx"):
            out = send(Job(1, 1, url, {}, "s", None), client, settings)
            assert out.error, url
            assert "qzx" not in out.error.lower() and "127.0.0.1" not in out.error, out.error
            assert "<callback" in out.error or "refused" in out.error, out.error
