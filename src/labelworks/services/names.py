"""Rules for names that appear in URL paths (orgs, projects, batches)."""

from __future__ import annotations

from labelworks.errors import InvalidRequest


def check_name(name: object, field: str) -> str:
    if not isinstance(name, str):
        raise InvalidRequest("must be a string", field)
    if not name.strip():
        raise InvalidRequest("must not be empty", field)
    if len(name) > 200:
        raise InvalidRequest("must be at most 200 characters", field)
    # A '/' would be decoded by the HTTP server before routing and split the path.
    if "/" in name or any(ord(c) < 32 for c in name):
        raise InvalidRequest("must not contain '/' or control characters", field)
    return name
