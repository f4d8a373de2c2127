"""Serving stored files: images inline, everything else as a download.

Shared by `/v1/files/{id}/content` and `/work/files/{id}`: a customer-uploaded HTML, SVG or PDF
file must never render under this origin (stored XSS against annotators and customers), so only
raster images are inline; the security-headers middleware adds `nosniff` so browsers keep to it.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from fastapi.responses import Response, StreamingResponse

from labelworks.db.database import Database
from labelworks.db.tables import File
from labelworks.services import files
from labelworks.services.media_types import served_inline


def _byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """A single `bytes=a-b` / `bytes=a-` / `bytes=-n` range within the file, or None (serve it
    all; several ranges or a malformed header are answered with the whole file, as RFC 9110
    allows)."""
    match = re.fullmatch(r"\s*bytes=(\d*)-(\d*)\s*", header or "")
    if match is None or size == 0 or match.group(1) == match.group(2) == "":
        return None
    first, last = match.group(1), match.group(2)
    if first == "":
        start, end = max(0, size - int(last)), size - 1
    else:
        start, end = int(first), min(int(last), size - 1) if last else size - 1
    return (start, end) if start <= end < size else None


def file_response(db: Database, record: File, range_header: str | None = None) -> Response:
    """The bytes, decrypted as they stream out (media are sealed at rest). A `Range` request
    gets a 206 with only those bytes, so audio and video can seek."""
    kind = "inline" if served_inline(record.content_type) else "attachment"
    name = record.filename or record.id
    quoted = quote(name)
    disposition = (
        f"{kind}; filename*=utf-8''{quoted}" if quoted != name else f'{kind}; filename="{name}"'
    )
    headers = {"Content-Disposition": disposition, "Accept-Ranges": "bytes"}
    if range_header is not None:
        wanted = _byte_range(range_header, record.size)
        if wanted is None and re.fullmatch(r"\s*bytes=\d+-\d*\s*", range_header):
            # A range that starts past the end.
            headers["Content-Range"] = f"bytes */{record.size}"
            return Response(status_code=416, headers=headers)
        if wanted is not None:
            start, end = wanted
            headers["Content-Range"] = f"bytes {start}-{end}/{record.size}"
            headers["Content-Length"] = str(end - start + 1)
            return StreamingResponse(
                files.file_range(db, record, start, end),
                status_code=206,
                media_type=record.content_type,
                headers=headers,
            )
    headers["Content-Length"] = str(record.size)
    return StreamingResponse(
        files.file_bytes(db, record), media_type=record.content_type, headers=headers
    )
