"""The delivery worker (filled in by the delivery work)."""

from __future__ import annotations

from collections.abc import Callable

from labelworks.db.database import Database


def start_background(db: Database) -> Callable[[], None]:
    """Start delivering in a background thread of this process; returns a function that stops it."""
    del db
    return lambda: None
