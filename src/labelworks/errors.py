"""One exception family for everything a caller can get wrong.

The HTTP layer maps these to status codes in one place (`api/errors.py`); the CLI maps them to
exit code 2. Services raise them; nothing else decides a status code.
"""

from __future__ import annotations

from typing import Any


class LabelworksError(Exception):
    """Base class: `status_code` is the HTTP status, `error` the one-line message."""

    status_code = 500

    def __init__(self, message: str, field: str | None = None) -> None:
        self.message = message
        self.field = field
        super().__init__(self.error)

    @property
    def error(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class InvalidRequest(LabelworksError):
    status_code = 400


class Unauthorized(LabelworksError):
    status_code = 401


class Forbidden(LabelworksError):
    status_code = 403


class NotFound(LabelworksError):
    status_code = 404


class Conflict(LabelworksError):
    status_code = 409


class PayloadTooLarge(LabelworksError):
    status_code = 413


class TooManyRequests(LabelworksError):
    status_code = 429


def field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    """`("geometries", "box", 0)` -> `geometries.box.0`."""
    return ".".join(str(part) for part in loc) or "body"


def from_validation_error(exc: Any, prefix: tuple[Any, ...] = ()) -> InvalidRequest:
    """Turn a pydantic ValidationError into one InvalidRequest naming the first bad field."""
    first = exc.errors()[0]
    loc = tuple(prefix) + tuple(p for p in first["loc"] if p not in ("body",))
    message = first["msg"]
    message = message.removeprefix("Value error, ")
    return InvalidRequest(message, field_path(loc))
