"""Validation of the task fields every type shares (not the type's own params)."""

from __future__ import annotations

from typing import Any

from labelworks.errors import InvalidRequest
from labelworks.services.urls import check_callback_url

MAX_TAGS = 100


def clean_common(fields: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in fields.items():
        out[key] = _CHECKS[key](value, key) if key in _CHECKS else value
    return {k: v for k, v in out.items() if v is not None}


def _project(value: Any, field: str) -> str:
    return _string(value, field)


def _string(value: Any, field: str, max_len: int = 100_000) -> str:
    if not isinstance(value, str):
        raise InvalidRequest("must be a string", field)
    if len(value) > max_len:
        raise InvalidRequest(f"must be at most {max_len} characters", field)
    return value


def _unique_id(value: Any, field: str) -> str:
    value = _string(value, field, 400)
    if not value:
        raise InvalidRequest("must not be empty", field)
    return value


def _metadata(value: Any, field: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidRequest("must be an object", field)
    return value


def _tags(value: Any, field: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise InvalidRequest("must be a list of strings", field)
    if len(value) > MAX_TAGS:
        raise InvalidRequest(f"at most {MAX_TAGS} tags", field)
    for i, tag in enumerate(value):
        if not isinstance(tag, str) or not tag or len(tag) > 200:
            raise InvalidRequest(
                "must be a non-empty string of at most 200 characters", f"{field}.{i}"
            )
    return list(dict.fromkeys(value))


def _priority(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidRequest("must be an integer", field)
    if not -1_000_000 <= value <= 1_000_000:
        raise InvalidRequest("must be between -1000000 and 1000000", field)
    return value


_CHECKS = {
    "project": _project,
    "batch": _project,
    "instruction": lambda v, f: _string(v, f),
    "callback_url": check_callback_url,
    "metadata": _metadata,
    "unique_id": _unique_id,
    "tags": _tags,
    "priority": _priority,
}
