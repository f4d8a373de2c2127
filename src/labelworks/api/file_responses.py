"""Serving stored files: images inline, everything else as a download.

Shared by `/v1/files/{id}/content` and `/work/files/{id}`: a customer-uploaded HTML, SVG or PDF
file must never render under this origin (stored XSS against annotators and customers), so only
raster images are inline; the security-headers middleware adds `nosniff` so browsers keep to it.
"""

from __future__ import annotations

from fastapi.responses import FileResponse

from labelworks.db.tables import File
from labelworks.services import files
from labelworks.services.media_types import served_inline
from labelworks.settings import Settings


def file_response(settings: Settings, record: File) -> FileResponse:
    inline = served_inline(record.content_type)
    return FileResponse(
        files.file_path(settings, record),
        media_type=record.content_type,
        # Starlette sets Content-Disposition only with a filename: always give one.
        filename=record.filename or record.id,
        content_disposition_type="inline" if inline else "attachment",
    )
