"""The ciphertext format of customer content: it names its key, so reading needs no context.

`lw$` + base64( version(1) | key id(8, big-endian) | nonce(12) | AES-256-GCM ciphertext+tag ),
with the 9 header bytes as associated data (a changed version or key id fails authentication).
The text prefix and the version byte let a reader tell ciphertext from plaintext written before
encryption existed (kept readable; `labelworks keys rotate --reencrypt` seals it).
"""

from __future__ import annotations

import binascii
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "lw$"
VERSION = 1
HEADER = 9
NONCE = 12
MIN_BYTES = HEADER + NONCE + 16


def seal(key_id: int, aead: AESGCM, plaintext: bytes) -> str:
    header = bytes([VERSION]) + key_id.to_bytes(8, "big")
    nonce = os.urandom(NONCE)
    blob = header + nonce + aead.encrypt(nonce, plaintext, header)
    return PREFIX + binascii.b2a_base64(blob, newline=False).decode("ascii")


def parse(text: str) -> tuple[int, bytes] | None:
    """(key id, raw envelope) of a sealed value; None for anything else (plaintext)."""
    if not text.startswith(PREFIX):
        return None
    try:
        blob = binascii.a2b_base64(text[len(PREFIX) :], strict_mode=True)  # (C; no regex check)
    except (binascii.Error, ValueError):
        return None
    if len(blob) < MIN_BYTES or blob[0] != VERSION:
        return None
    return int.from_bytes(blob[1:HEADER], "big"), blob


def open_blob(aead: AESGCM, blob: bytes) -> bytes:
    """Raises `cryptography.exceptions.InvalidTag` when the key is not the one that sealed it."""
    nonce = blob[HEADER : HEADER + NONCE]
    return aead.decrypt(nonce, blob[HEADER + NONCE :], blob[:HEADER])
