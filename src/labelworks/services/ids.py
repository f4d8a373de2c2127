"""Identifiers and secrets."""

from __future__ import annotations

import hashlib
import os
import secrets
import time


def new_object_id() -> str:
    """24 hex chars like Scale's ids: 4 bytes of seconds, then 8 random bytes (roughly sortable)."""
    return f"{int(time.time()):08x}{os.urandom(8).hex()}"


def new_api_key(test: bool = False) -> str:
    return ("test_" if test else "live_") + secrets.token_hex(16)


def hash_api_key(key: str) -> str:
    # API keys carry 128 random bits, so a fast hash is enough (no offline guessing possible).
    return hashlib.sha256(key.encode()).hexdigest()


def new_secret() -> str:
    return secrets.token_hex(24)
