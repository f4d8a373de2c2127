"""Query-string values the API accepts in more than one spelling."""

from __future__ import annotations

import datetime as dt

from labelworks.errors import InvalidRequest


def parse_time(value: str | None, field: str) -> dt.datetime | None:
    """ISO 8601 (`YYYY-MM-DD HH:MM:SS.mmmmmm`, with `T`/`Z`, or a date); naive means UTC."""
    if value is None or value == "":
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise InvalidRequest(
            "must be an ISO 8601 timestamp, e.g. 2024-01-31T12:00:00Z", field
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    try:
        return parsed.astimezone(dt.UTC)
    except OverflowError:
        # e.g. 0001-01-01T00:00:00+01:00 is before year 1 in UTC
        raise InvalidRequest(
            "is outside the supported range (years 1 to 9999 UTC)", field
        ) from None
