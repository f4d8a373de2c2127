"""/v1/files: upload, import by URL, and the authenticated content behind `attachment_url`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool

from labelworks.api import safe_json
from labelworks.api.body import body_of
from labelworks.api.deps import DbDep, object_body
from labelworks.api.file_responses import file_response
from labelworks.api.policies.base import authorize
from labelworks.api.policies.files import FilePolicy
from labelworks.api.schemas.files import FileImport, FileOut
from labelworks.api.serialize import file_json
from labelworks.errors import InvalidRequest
from labelworks.services import files
from labelworks.services.scope import Principal

router = APIRouter(tags=["files"])
Json = dict[str, Any]
FILE_DOC: Any = {"response_model": None, "responses": {200: {"model": FileOut}}}
BINARY: dict[str, Any] = {
    "description": "the file's bytes, with its content type",
    "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
}


def multipart_file_body(**extra: dict[str, Any]) -> dict[str, Any]:
    """OpenAPI for a multipart body with a required `file` part (and the `extra` text parts)."""
    properties = {"file": {"type": "string", "format": "binary"}, **extra}
    schema = {"type": "object", "required": ["file"], "properties": properties}
    return {
        "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": schema}}}
    }


UPLOAD_BODY = multipart_file_body(
    metadata={"type": "string", "description": "a JSON object, as text"}
)


def attachment_url(request: Request, file_id: str) -> str:
    base = request.app.state.settings.public_url or str(request.base_url).rstrip("/")
    return f"{base.rstrip('/')}/v1/files/{file_id}/content"


def _metadata(raw: Any) -> dict[str, Any] | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, str):
        raw = safe_json.loads(raw, at="metadata")  # the same rules as every JSON body
    if not isinstance(raw, dict):
        raise InvalidRequest("must be a JSON object", "metadata")
    return raw


@router.post("/files/upload", summary="Upload a file", openapi_extra=UPLOAD_BODY, **FILE_DOC)
async def upload_file(
    request: Request,
    principal: Annotated[Principal, authorize(FilePolicy.create)],
    db: DbDep,
) -> Json:
    form = await request.form(max_part_size=db.settings.max_upload_bytes + 1)
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        raise InvalidRequest("is required (multipart field 'file')", "file")
    metadata = _metadata(form.get("metadata"))

    def store() -> Json:
        blob = files.store_upload(db, principal, upload.file, upload.filename, upload.content_type)
        with db.write() as session:
            record = files.record_file(session, principal, blob, metadata)
            return file_json(record, attachment_url(request, record.id))

    return await run_in_threadpool(store)


@router.post("/files/import", summary="Import a file from a URL", **FILE_DOC)
def import_file(
    request: Request,
    body: Annotated[Any, body_of(FileImport, validate=False)],
    principal: Annotated[Principal, authorize(FilePolicy.create)],
    db: DbDep,
) -> Json:
    body = object_body(body)
    metadata = _metadata(body.get("metadata"))
    blob = files.fetch_url(db, principal, body.get("file_url"))
    with db.write() as session:
        record = files.record_file(session, principal, blob, metadata)
        return file_json(record, attachment_url(request, record.id))


@router.get("/files/{file_id}", summary="A file's record", **FILE_DOC)
def get_file(
    request: Request,
    file_id: str,
    principal: Annotated[Principal, authorize(FilePolicy.read)],
    db: DbDep,
) -> Json:
    with db.read() as session:
        record = files.get_file(session, principal, file_id)
        return file_json(record, attachment_url(request, record.id))


@router.get(
    "/files/{file_id}/content",
    summary="A file's bytes (the attachment_url)",
    response_class=FileResponse,
    responses={200: BINARY},
)
def file_content(
    file_id: str,
    principal: Annotated[Principal, authorize(FilePolicy.read)],
    db: DbDep,
    request: Request,
) -> Response:
    with db.read() as session:
        record = files.get_file(session, principal, file_id, "file.content")
    return file_response(db, record, request.headers.get("range"))
