"""Sealed media files: AES-256-GCM over 1 MiB chunks, streamed in and out.

`LWM1` | key id (8) | nonce prefix (8), then each chunk's ciphertext+tag; chunk i uses the nonce
prefix + i (4 bytes) and the header plus a last-chunk flag as associated data, so chunks cannot
be reordered, dropped or the file cut short without the read failing.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from labelworks.db.keyring import KeyError_

MAGIC = b"LWM1"
HEADER = len(MAGIC) + 16
CHUNK = 1 << 20
TAG = 16


class Sealer:
    def __init__(self, out: BinaryIO, key_id: int, aead: AESGCM) -> None:
        self.out, self.aead = out, aead
        self.header = MAGIC + key_id.to_bytes(8, "big") + os.urandom(8)
        out.write(self.header)
        self.buffer = bytearray()
        self.index = 0

    def write(self, data: bytes) -> None:
        self.buffer += data
        # Keep at least one byte back: the last chunk is only known at close().
        while len(self.buffer) > CHUNK:
            self._emit(bytes(self.buffer[:CHUNK]), last=False)
            del self.buffer[:CHUNK]

    def close(self) -> None:
        self._emit(bytes(self.buffer), last=True)
        self.buffer.clear()

    def _emit(self, chunk: bytes, last: bool) -> None:
        self.out.write(
            self.aead.encrypt(_nonce(self.header, self.index), chunk, _aad(self.header, last))
        )
        self.index += 1


def open_stream(f: BinaryIO, aead_of: Callable[[int], AESGCM]) -> Iterator[bytes]:
    header = f.read(HEADER)
    if len(header) != HEADER or not header.startswith(MAGIC):
        raise KeyError_("not a sealed media file")
    aead = aead_of(int.from_bytes(header[4:12], "big"))
    index = 0
    block = f.read(CHUNK + TAG)
    while True:
        following = f.read(CHUNK + TAG)
        last = not following
        try:
            yield aead.decrypt(_nonce(header, index), block, _aad(header, last))
        except InvalidTag:
            raise KeyError_("sealed media does not open: tampered or wrong key") from None
        if last:
            return
        block, index = following, index + 1


def open_range(
    f: BinaryIO, aead_of: Callable[[int], AESGCM], start: int, end: int
) -> Iterator[bytes]:
    """Plaintext bytes `start`..`end` (inclusive) of a sealed file, decrypting only the chunks
    that hold them (what a media player's seek asks for)."""
    header = f.read(HEADER)
    if len(header) != HEADER or not header.startswith(MAGIC):
        raise KeyError_("not a sealed media file")
    aead = aead_of(int.from_bytes(header[4:12], "big"))
    f.seek(0, os.SEEK_END)
    chunks = max(1, -(-(f.tell() - HEADER) // (CHUNK + TAG)))
    for index in range(start // CHUNK, min(end // CHUNK, chunks - 1) + 1):
        f.seek(HEADER + index * (CHUNK + TAG))
        block = f.read(CHUNK + TAG)
        try:
            plain = aead.decrypt(_nonce(header, index), block, _aad(header, index == chunks - 1))
        except InvalidTag:
            raise KeyError_("sealed media does not open: tampered or wrong key") from None
        base = index * CHUNK
        yield plain[max(0, start - base) : end - base + 1]


def _nonce(header: bytes, index: int) -> bytes:
    return header[12:20] + index.to_bytes(4, "big")


def _aad(header: bytes, last: bool) -> bytes:
    return header + (b"\x01" if last else b"\x00")
