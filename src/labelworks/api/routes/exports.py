"""GET /v1/projects/{name}/export: a project's tasks in an ML data format, streamed."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from labelworks.api.deps import DbDep
from labelworks.api.policies.base import authorize
from labelworks.api.policies.exports import ExportPolicy
from labelworks.services import exports
from labelworks.services.scope import Principal

router = APIRouter(tags=["exports"])

ExportFormat = Literal[tuple(exports.FORMATS)]  # type: ignore[valid-type]
EXPORT_CONTENT: dict[str, Any] = {
    spec.media_type.split(";")[0]: {"schema": {"type": "string", "format": "binary"}}
    for spec in exports.FORMATS.values()
}


@router.get(
    "/projects/{name}/export",
    summary="Export a project's tasks",
    response_class=StreamingResponse,
    responses={200: {"description": "the export file", "content": EXPORT_CONTENT}},
)
def export_project(
    name: str,
    principal: Annotated[Principal, authorize(ExportPolicy.read)],
    db: DbDep,
    fmt: Annotated[ExportFormat, Query(alias="format")],  # type: ignore[valid-type]
    batch: str | None = None,
    include_pending: bool = False,
) -> StreamingResponse:
    """Checked first (404 for another org's project, 400 for a format the type lacks); the body
    then streams chunk by chunk, each chunk read in its own short transaction."""
    with db.read() as session:
        export = exports.open_export(session, db, principal, name, fmt, batch, include_pending)
    spec = exports.FORMATS[export.format]
    filename = quote(f"{name}{spec.extension}", safe="")
    return StreamingResponse(
        exports.stream(export),
        media_type=spec.media_type,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{filename}"},
    )
