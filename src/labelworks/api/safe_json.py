"""The one JSON parser for request bodies.

Every JSON body the API reads goes through `loads()`: route handlers that take a raw body (the
`JsonBody` dependency) and typed Pydantic bodies alike. It refuses, with a 400 naming the field
path (`metadata.a.b`), what the databases cannot store or serve back, before anything is written:

- lone UTF-16 surrogates (`"\\ud800"`): valid JSON, but not encodable as UTF-8, so every later
  read of the row fails;
- NUL characters in strings and keys (PostgreSQL text and JSONB refuse them);
- integers outside signed 64 bits (BIGINT columns, JSONB numerics served to 64-bit clients) and
  numbers written with more than `MAX_NUMBER_CHARS` characters (Python's int parser refuses
  >4,300 digits with a ValueError, and big numbers are a CPU sink);
- `NaN`, `Infinity` and numbers that overflow a double (`1e400`): not JSON, PostgreSQL JSONB
  refuses them, SQLite would store them and serve invalid JSON;
- nesting deeper than `MAX_DEPTH` (the C parser would otherwise recurse ~1,000 deep and raise a
  RecursionError).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from labelworks.errors import InvalidRequest

MAX_DEPTH = 64
MAX_NUMBER_CHARS = 100
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1

# Only a `\u0000` / `\uD800`-`\uDFFF` escape or a UTF-8-encoded surrogate (json.loads decodes
# bytes with "surrogatepass") can put a NUL or a lone surrogate in a string (the strict parser
# refuses raw control characters); a body without them needs no string walk. (An escaped
# backslash before "u0000" is a harmless false positive: it walks.)
_SUSPECT = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])|\xed[\xa0-\xbf]")


class _Bad:
    """Placed in the parsed value by the number hooks; the walk reports it with its path."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason


class _Hooks:
    """Number and constant hooks for one parse; `bad` says whether any produced a `_Bad`."""

    def __init__(self) -> None:
        self.bad = False

    def _refuse(self, reason: str) -> _Bad:
        self.bad = True
        return _Bad(reason)

    def parse_int(self, literal: str) -> int | _Bad:
        if len(literal) > MAX_NUMBER_CHARS:
            return self._refuse(f"number has more than {MAX_NUMBER_CHARS} characters")
        value = int(literal)
        if not INT64_MIN <= value <= INT64_MAX:
            return self._refuse("integer is outside the signed 64-bit range")
        return value

    def parse_float(self, literal: str) -> float | _Bad:
        if len(literal) > MAX_NUMBER_CHARS:
            return self._refuse(f"number has more than {MAX_NUMBER_CHARS} characters")
        value = float(literal)
        if not math.isfinite(value):
            return self._refuse("number is too large for a double")
        return value

    def parse_constant(self, name: str) -> _Bad:
        return self._refuse(f"{name} is not valid JSON")


def _path(path: tuple[str, ...]) -> str:
    return ".".join(path) if path else "body"


def _check_str(value: str, path: tuple[str, ...], what: str) -> None:
    if "\x00" in value:
        raise InvalidRequest(f"{what} contains a NUL character", _path(path))
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidRequest(
            f"{what} contains a lone surrogate (invalid Unicode)", _path(path)
        ) from None


def _label(key: str) -> str:
    # A bad key is named in a printable form, never with the bad text itself.
    try:
        key.encode("utf-8")
    except UnicodeEncodeError:
        return "<invalid key>"
    return key.replace("\x00", "\\u0000")


def _check(value: Any, strings: bool) -> None:
    """Walk the value (iteratively) for depth, refused numbers and, if asked, bad strings."""
    stack: list[tuple[Any, tuple[str, ...]]] = [(value, ())]
    while stack:
        item, where = stack.pop()
        if isinstance(item, dict):
            if len(where) >= MAX_DEPTH:
                raise InvalidRequest(f"JSON is nested deeper than {MAX_DEPTH} levels", _path(where))
            for key, child in item.items():
                child_path = (*where, _label(key))
                if strings:
                    _check_str(key, child_path, "key")
                if isinstance(child, dict | list | _Bad) or (strings and isinstance(child, str)):
                    stack.append((child, child_path))
        elif isinstance(item, list):
            if len(where) >= MAX_DEPTH:
                raise InvalidRequest(f"JSON is nested deeper than {MAX_DEPTH} levels", _path(where))
            for i, child in enumerate(item):
                if isinstance(child, dict | list | _Bad) or (strings and isinstance(child, str)):
                    stack.append((child, (*where, str(i))))
        elif isinstance(item, str):
            _check_str(item, where, "string")
        elif isinstance(item, _Bad):
            raise InvalidRequest(item.reason, _path(where))


def loads(raw: bytes | str, at: str | None = None) -> Any:
    """Parse a request body; anything malformed or unstorable is a 400 naming where it is.

    `at` names a JSON value that is itself a field (a multipart form's `metadata`): paths then
    start there (`metadata.a.b`)."""
    if at is not None:
        try:
            return loads(raw)
        except InvalidRequest as exc:
            inner = exc.field or "body"
            field = at if inner == "body" else f"{at}.{inner}"
            raise InvalidRequest(exc.message, field) from None
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    hooks = _Hooks()
    try:
        value = json.loads(
            data,
            parse_int=hooks.parse_int,
            parse_float=hooks.parse_float,
            parse_constant=hooks.parse_constant,
        )
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidRequest(f"malformed JSON ({exc})", "body") from None
    except RecursionError:
        # The C parser recurses once per level and stops near 1,000: far deeper than allowed.
        raise InvalidRequest(f"JSON is nested deeper than {MAX_DEPTH} levels", "body") from None
    strings = _SUSPECT.search(data) is not None
    # Fewer opening brackets than the limit in the whole body: no walk needed for depth.
    shallow = data.count(b"[") + data.count(b"{") <= MAX_DEPTH
    if strings or hooks.bad or not shallow:
        _check(value, strings)
    return value
