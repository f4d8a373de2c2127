"""The movable clock (labelworks/clock.py): time-window behaviour tested without sleeping."""

from __future__ import annotations

import uuid

import pytest

from labelworks import clock
from tests.workforce.conftest import PASSWORD


@pytest.fixture
def moved_clock():
    yield clock
    clock.set_offset(0.0)


def test_utcnow_follows_the_clock(moved_clock):
    from labelworks.db.types import utcnow

    before = utcnow()
    moved_clock.advance(3600)
    assert (utcnow() - before).total_seconds() >= 3600
    moved_clock.set_offset(0.0)
    assert (utcnow() - before).total_seconds() < 60


def test_offset_file_is_followed(tmp_path, moved_clock):
    path = tmp_path / "offset"
    clock.use_offset_file(path)
    try:
        assert clock.shift() == 0.0  # no file yet: the real time
        clock.write_offset_file(path, 120)
        clock.use_offset_file(path)  # drop the cached read
        assert clock.shift() == 120.0
    finally:
        clock.use_offset_file(None)


def test_login_failure_window_ends(backend, app_client, moved_clock):
    from labelworks.services import users

    email = f"window-{uuid.uuid4().hex[:8]}@example.com"
    with backend.db.write() as session:
        users.create_user(session, email, "annotator", PASSWORD)
    wrong = {"email": email, "password": "wrong password!"}
    codes = [app_client.post("/auth/login", json=wrong).status_code for _ in range(11)]
    assert codes[:10] == [401] * 10 and codes[10] == 429
    right = {"email": email, "password": PASSWORD}
    assert app_client.post("/auth/login", json=right).status_code == 429
    moved_clock.advance(16 * 60)  # past the 15-minute failure window
    assert app_client.post("/auth/login", json=right).status_code == 200
