"""A write-only file object whose bytes are handed on as they are written.

Writers that need a file (zipfile, pyarrow's ParquetWriter) write into a `Sink`; the export
generator yields `drain()` after each chunk, so the bytes go out (HTTP body, CLI file) instead of
piling up. Not seekable: zipfile then writes data descriptors, which every unzip reads.
"""

from __future__ import annotations

import io


class Sink(io.RawIOBase):
    def __init__(self) -> None:
        super().__init__()
        self._parts: list[bytes] = []
        self._position = 0

    def writable(self) -> bool:
        return True

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        chunk = bytes(data)
        self._parts.append(chunk)
        self._position += len(chunk)
        return len(chunk)

    def tell(self) -> int:
        return self._position

    def drain(self) -> bytes:
        out = b"".join(self._parts)
        self._parts.clear()
        return out
