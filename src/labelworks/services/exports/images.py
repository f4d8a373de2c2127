"""Image sizes for exports that need pixels (COCO, YOLO, VOC, Label Studio percentages).

In order: `width`/`height` in the task's params or metadata; else, when the attachment is a file
uploaded to this server (`.../v1/files/<id>/content` of the same org), the size read from the
PNG, JPEG, GIF or WebP header of the stored bytes; else 0 x 0 (unknown). Nothing is downloaded.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from labelworks.db.database import Database
from labelworks.db.keyring import KeyError_
from labelworks.db.tables import File
from labelworks.services.files import FILE_URL, MediaStore
from labelworks.services.scope import Principal, owned

HEADER_BYTES = 256 * 1024  # JPEG SOF markers can follow large EXIF blocks
CACHE_LIMIT = 50_000


def declared_size(params: dict[str, Any], metadata: dict[str, Any]) -> tuple[int, int] | None:
    for source in (params, metadata):
        width, height = source.get("width"), source.get("height")
        if _positive_int(width) and _positive_int(height):
            return int(width), int(height)  # type: ignore[arg-type]  # checked just above
    return None


def _positive_int(value: Any) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and value > 0
        and float(value).is_integer()
    )


class ImageSizes:
    """Resolves sizes a chunk of tasks at a time: one query for the chunk's uploaded files."""

    def __init__(self, db: Database, principal: Principal) -> None:
        self.db, self.principal = db, principal
        self.media = MediaStore(db, principal.org_id)
        self._by_file: dict[str, tuple[int, int]] = {}

    def sizes(self, items: list[tuple[dict[str, Any], dict[str, Any]]]) -> list[tuple[int, int]]:
        """(width, height) for each (params, metadata), (0, 0) when unknown."""
        out: list[tuple[int, int] | None] = [declared_size(p, m) for p, m in items]
        wanted = {
            i: m.group(1)
            for i, (p, _) in enumerate(items)
            if out[i] is None and (m := FILE_URL.search(str(p.get("attachment", ""))))
        }
        self._load({f for f in wanted.values() if f not in self._by_file})
        for i, file_id in wanted.items():
            out[i] = self._by_file.get(file_id)
        return [size or (0, 0) for size in out]

    def _load(self, file_ids: Iterable[str]) -> None:
        ids = list(file_ids)
        if not ids:
            return
        if len(self._by_file) > CACHE_LIMIT:
            self._by_file.clear()
        with self.db.read() as session:
            rows: list[Any] = session.execute(  # type: ignore[assignment]
                owned(select(File.id, File.sha256), File, self.principal).where(File.id.in_(ids))
            ).all()
        for file_id, sha in rows:
            self._by_file[file_id] = header_size(self.media, sha) or (0, 0)


def header_size(media: MediaStore, sha256: str) -> tuple[int, int] | None:
    try:
        head = next(iter(media.read(sha256)), b"")[:HEADER_BYTES]
    except (OSError, KeyError_):
        return None
    return image_size(head)


def image_size(head: bytes) -> tuple[int, int] | None:
    """(width, height) from the first bytes of a PNG, JPEG, GIF or WebP file."""
    if head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR":
        return struct.unpack(">II", head[16:24])
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return struct.unpack("<HH", head[6:10])
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return _webp_size(head)
    if head[:2] == b"\xff\xd8":
        return _jpeg_size(head)
    return None


def _jpeg_size(head: bytes) -> tuple[int, int] | None:
    i = 2
    while i + 9 < len(head):
        if head[i] != 0xFF:
            i += 1
            continue
        marker = head[i + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7 or marker == 0xFF:
            i += 1 if marker == 0xFF else 2
            continue
        length = struct.unpack(">H", head[i + 2 : i + 4])[0]
        # SOF0..SOF15 hold the frame size; C4 (DHT), C8 (JPG) and CC (DAC) are not frames.
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", head[i + 5 : i + 9])
            return width, height
        i += 2 + length
    return None


def _webp_size(head: bytes) -> tuple[int, int] | None:
    chunk = head[12:16]
    if chunk == b"VP8 " and len(head) >= 30:
        w, h = struct.unpack("<HH", head[26:30])
        return w & 0x3FFF, h & 0x3FFF
    if chunk == b"VP8L" and len(head) >= 25:
        bits = int.from_bytes(head[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X" and len(head) >= 30:
        return int.from_bytes(head[24:27], "little") + 1, int.from_bytes(head[27:30], "little") + 1
    return None
