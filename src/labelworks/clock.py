"""The clock every timestamp comes from (`db.types.utcnow`), movable by tests.

Tests move time instead of sleeping: in-process with `advance()` / `set_offset()`, and for server
subprocesses through the file named by `LABELWORKS_CLOCK_OFFSET_FILE` (read via `Settings`), which
holds an offset in seconds. The file is re-read at most every 50 ms, so a test that writes it sees
the server follow almost at once. Without the setting the clock is the system's, at no cost.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from pathlib import Path

_lock = threading.Lock()
_offset = 0.0
_file: Path | None = None
_file_offset = 0.0
_file_read_at = 0.0
_FILE_TTL = 0.05


def now() -> dt.datetime:
    """The current UTC time, moved by the in-process and file offsets."""
    real = dt.datetime.now(dt.UTC)
    moved = shift()
    return real + dt.timedelta(seconds=moved) if moved else real


def shift() -> float:
    """Seconds the clock is moved by (in-process plus file); 0.0 outside tests."""
    return _offset + (_read_file() if _file is not None else 0.0)


def monotonic() -> float:
    """`time.monotonic()` moved with the clock, for throttles that must follow a moved clock."""
    return time.monotonic() + shift()


def advance(seconds: float) -> None:
    """Move this process's clock forward (or back, when negative)."""
    global _offset
    with _lock:
        _offset += seconds


def set_offset(seconds: float) -> None:
    global _offset
    with _lock:
        _offset = seconds


def offset() -> float:
    return _offset


def use_offset_file(path: Path | None) -> None:
    """Follow the offset written in PATH (set from `Settings.clock_offset_file` at start-up)."""
    global _file, _file_read_at
    with _lock:
        _file, _file_read_at = path, 0.0


def write_offset_file(path: Path, seconds: float) -> None:
    """What a test calls to move a server subprocess's clock (atomic replace)."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(repr(float(seconds)), encoding="utf-8")
    tmp.replace(path)


def _read_file() -> float:
    global _file_offset, _file_read_at
    mono = time.monotonic()
    if mono - _file_read_at < _FILE_TTL:
        return _file_offset
    path = _file
    try:
        value = float(path.read_text(encoding="utf-8")) if path is not None else 0.0
    except (OSError, ValueError):
        value = 0.0  # absent or half-written: the real time
    with _lock:
        _file_offset, _file_read_at = value, mono
    return value
