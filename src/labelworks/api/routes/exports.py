"""GET /v1/projects/{name}/export: a project's tasks in an ML data format, streamed."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from labelworks.api.deps import DbDep, PrincipalDep
from labelworks.services import exports

router = APIRouter(tags=["exports"])


@router.get("/projects/{name}/export")
def export_project(
    name: str,
    principal: PrincipalDep,
    db: DbDep,
    fmt: Annotated[str, Query(alias="format")],
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
