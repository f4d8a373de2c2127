"""Serving stored files: images inline, everything else as a download.

Shared by `/v1/files/{id}/content` and `/work/files/{id}`: a customer-uploaded HTML, SVG or PDF
file must never render under this origin (stored XSS against annotators and customers), so only
raster images are inline; the security-headers middleware adds `nosniff` so browsers keep to it.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi.responses import StreamingResponse

from labelworks.db.database import Database
from labelworks.db.tables import File
from labelworks.services import files
from labelworks.services.media_types import served_inline


def file_response(db: Database, record: File) -> StreamingResponse:
    """The bytes, decrypted as they stream out (media are sealed at rest)."""
    kind = "inline" if served_inline(record.content_type) else "attachment"
    name = record.filename or record.id
    quoted = quote(name)
    disposition = (
        f"{kind}; filename*=utf-8''{quoted}" if quoted != name else f'{kind}; filename="{name}"'
    )
    return StreamingResponse(
        files.file_bytes(db, record),
        media_type=record.content_type,
        headers={"Content-Disposition": disposition, "Content-Length": str(record.size)},
    )
