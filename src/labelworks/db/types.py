"""Column types shared by the tables.

`Content` holds customer content as JSON (params, responses, metadata), `SealedText` customer
strings (callback URLs, file names, unique ids). Both are stored encrypted under the row's org key
(`db/sealing.py` seals values at flush, where the row's org is known; see `db/envelope.py`) and
read back through the key the ciphertext names. A plain value reaching them is refused, so a
write path that skips sealing fails loudly instead of storing plaintext.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import JSON, DateTime, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from labelworks import clock
from labelworks.db import envelope, keyring


class Sealed(str):
    """A value already sealed for its org: written as is."""

    __slots__ = ()


class UnsealedWrite(RuntimeError):
    """Customer content reached the database without going through the sealing seam."""


def _check_plain(value: Any) -> None:
    ring = keyring.active()
    if ring is not None and ring.enabled:
        raise UnsealedWrite(f"customer content written unsealed: {type(value).__name__}")


def _open(value: str) -> bytes | None:
    ring = keyring.active()
    if ring is None:
        raise keyring.KeyError_("no key ring to open sealed content")
    return ring.open(value)


class Content(TypeDecorator[Any]):
    """Customer content: JSON, stored as a sealed JSON string (or legacy plain JSON)."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        # Empty values carry nothing; they are also what column defaults write.
        if value is None or isinstance(value, Sealed) or (not value and value in ({}, [], "")):
            return value
        _check_plain(value)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if isinstance(value, str) and value.startswith(envelope.PREFIX):
            plain = _open(value)
            if plain is not None:
                return json.loads(plain)
        return value

    def result_processor(self, dialect: Dialect, coltype: Any) -> Any:
        """Where the driver hands JSON over as text (SQLite), a sealed value is a JSON string of
        base64 — its quotes are all the JSON there is: strip them instead of parsing the JSON
        (a third of a sealed value's read cost). Anything else takes the usual path."""
        usual = super().result_processor(dialect, coltype)
        quoted = '"' + envelope.PREFIX

        def process(value: Any) -> Any:
            if value.__class__ is str and value.startswith(quoted) and "\\" not in value:
                plain = _open(value[1:-1])
                if plain is not None:
                    return json.loads(plain)
            return usual(value) if usual is not None else value

        return process


class SealedText(TypeDecorator[str]):
    """A customer string, stored sealed (or legacy plaintext)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None or value == "" or isinstance(value, Sealed):
            return value
        _check_plain(value)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if isinstance(value, str) and value.startswith(envelope.PREFIX):
            plain = _open(value)
            if plain is not None:
                return plain.decode()
        return value


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on SQLite (naive storage) and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def utcnow() -> dt.datetime:
    # The one clock (`labelworks.clock`): tests move it instead of sleeping.
    return clock.now()


def iso(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return (
        value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.")
        + f"{value.microsecond // 1000:03d}Z"
    )
