"""Content types from the bytes of a file, never from what the client declared.

Binary formats come from their magic numbers (`filetype`: PNG, JPEG, GIF, WebP, PDF, MP3, WAV,
OGG, MP4, WebM...); otherwise UTF-8 text is `application/json` when it looks like a JSON
document and `text/plain` else; anything else is `application/octet-stream`. Only images are
served inline; every other type is served as an attachment (no HTML or SVG rendered from
customer bytes under our origin).
"""

from __future__ import annotations

import codecs

import filetype

HEAD_BYTES = 8192  # what `filetype` reads at most
OCTET = "application/octet-stream"
# Raster images a browser shows without running anything (no SVG: it can carry script).
INLINE_TYPES = frozenset(
    {"image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp", "image/avif"}
)
# Which sniffed types fit a task's `attachment_type` (absent: no check applies).
ATTACHMENT_FAMILIES: dict[str, tuple[str, ...]] = {
    "image": ("image/",),
    "pdf": ("application/pdf",),
    "video": ("video/",),
    "audio": ("audio/",),
    "text": ("text/", "application/json"),
}


def sniff(head: bytes) -> str:
    """The content type of a file from its first `HEAD_BYTES` bytes."""
    kind = filetype.guess(head[:HEAD_BYTES]) if head else None
    if kind is not None:
        return str(kind.mime)
    if head and _is_text(head[:HEAD_BYTES]):
        stripped = head.lstrip()
        if stripped[:1] in (b"{", b"["):
            return "application/json"
        return "text/plain; charset=utf-8"
    return OCTET


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        # Not final: the head may end inside a multi-byte character.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True


def served_inline(content_type: str) -> bool:
    return content_type.split(";", 1)[0].strip().lower() in INLINE_TYPES


def fits(content_type: str, attachment_type: str) -> bool:
    """Whether a file of this (sniffed) type may be a task's `attachment_type` attachment."""
    families = ATTACHMENT_FAMILIES.get(attachment_type)
    if families is None:
        return True
    base = content_type.split(";", 1)[0].strip().lower()
    return any(base.startswith(prefix) for prefix in families)
