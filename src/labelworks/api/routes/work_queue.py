"""/work/queue...: the workspace's prefetch queue and idempotent submit (worker API; Bearer
token or the browser's cookie session)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from starlette.concurrency import run_in_threadpool

from labelworks.api.body import body_of
from labelworks.api.deps import DbDep, object_body
from labelworks.api.policies.base import authorize_worker
from labelworks.api.policies.work import WorkPolicy
from labelworks.api.routes.files import attachment_url, multipart_file_body
from labelworks.api.schemas.common import INT64_MAX
from labelworks.api.schemas.work import (
    DraftBody,
    QueueHoldBody,
    QueueOut,
    QueueReleaseBody,
    QueueReleaseOut,
    SubmitBody,
    SubmitOut,
)
from labelworks.errors import InvalidRequest
from labelworks.services import files
from labelworks.services.auth import Person
from labelworks.services.work import prefetch, uploads
from labelworks.web.markdown import to_html

router = APIRouter(prefix="/work/queue", tags=["work"])
Json = dict[str, Any]
AssignmentId = Annotated[int, Path(ge=1, le=INT64_MAX, description="from /work/queue")]
Holding = Annotated[Person, authorize_worker(WorkPolicy.next)]
Acting = Annotated[Person, authorize_worker(WorkPolicy.act)]


def _with_html(lease: Json) -> Json:
    """Sanitized HTML of the instruction and of comparison responses, for direct insertion."""
    task = lease["task"]
    html: Json = {"instruction": to_html(task.get("instruction"))}
    if task.get("type") == "comparison":
        html["prompt"] = to_html(task["params"].get("prompt"))
        html["responses"] = {
            r.get("id"): to_html(r.get("content")) for r in task["params"].get("responses", [])
        }
    task["html"] = html
    return lease


@router.post("", response_model=None, responses={200: {"model": QueueOut}})
def hold(
    body: Annotated[Any, body_of(QueueHoldBody, validate=False)], person: Holding, db: DbDep
) -> Json:
    """Body `{"hold": 1..3, "stage": "label"|"review", "project"?, "exclude"?: [ids]}` ->
    `{"leases": [...]}`: the leases already held at that stage first (but those in `exclude`,
    which the browser is submitting), then new ones up to `hold`."""
    body = object_body(body)
    project = body.get("project")
    if project is not None and not isinstance(project, str):
        raise InvalidRequest("must be a string", "project")
    exclude = body.get("exclude", [])
    if not isinstance(exclude, list) or not all(
        isinstance(i, int) and not isinstance(i, bool) for i in exclude
    ):
        raise InvalidRequest("must be a list of assignment ids", "exclude")
    with db.write() as session:
        leases = prefetch.hold(
            session,
            person,
            project,
            body.get("stage", "label"),
            body.get("hold", 2),
            db.settings.lease_seconds,
            set(exclude[:64]),
        )
    return {"leases": [_with_html(lease) for lease in leases]}


@router.post("/release", response_model=None, responses={200: {"model": QueueReleaseOut}})
def release(
    body: Annotated[Any, body_of(QueueReleaseBody, validate=False)], person: Acting, db: DbDep
) -> Json:
    """Body `{"assignment_ids": [...]}`: give back unworked leases (on leaving the page)."""
    ids = object_body(body).get("assignment_ids")
    if not isinstance(ids, list) or not all(
        isinstance(i, int) and not isinstance(i, bool) for i in ids
    ):
        raise InvalidRequest("must be a list of assignment ids", "assignment_ids")
    with db.write() as session:
        return {"released": prefetch.release(session, person, ids[: prefetch.MAX_HOLD * 4])}


@router.post("/{assignment_id}/submit", response_model=None, responses={200: {"model": SubmitOut}})
def submit(
    assignment_id: AssignmentId,
    body: Annotated[Any, body_of(SubmitBody, validate=False)],
    person: Acting,
    db: DbDep,
) -> Json:
    """Like `/work/assignments/{id}/submit`, but a resubmission of the same body succeeds."""
    with db.write() as session:
        return prefetch.submit_once(session, person, assignment_id, body)


@router.put("/{assignment_id}/draft", response_model=None)
def save_draft(
    assignment_id: AssignmentId,
    body: Annotated[Any, body_of(DraftBody, validate=False)],
    person: Acting,
    db: DbDep,
) -> Json:
    """Body `{"response": ...}`: the answer in progress, returned as `draft` by `/work/queue`."""
    with db.write() as session:
        return prefetch.save_draft(session, person, assignment_id, body)


ANSWER_FILE_BODY = multipart_file_body()


@router.post("/{assignment_id}/files", response_model=None, openapi_extra=ANSWER_FILE_BODY)
async def upload_answer_file(
    assignment_id: AssignmentId, request: Request, person: Acting, db: DbDep
) -> Json:
    """Multipart field `file`: a file answering the leased task (datacollection file fields),
    stored for the task's org -> `{url, name, content_type}`, the answer's value."""
    form = await request.form(max_part_size=db.settings.max_upload_bytes + 1)
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        raise InvalidRequest("is required (multipart field 'file')", "file")

    def store() -> Json:
        with db.read() as session:
            owner = uploads.answer_org(session, person, assignment_id)
        blob = files.store_upload(db, owner, upload.file, upload.filename, upload.content_type)
        with db.write() as session:
            record = uploads.record_answer_file(session, person, assignment_id, blob)
            answer: Json = {
                "url": attachment_url(request, record.id),
                "name": record.filename,
                "content_type": record.content_type,
            }
        return {k: v for k, v in answer.items() if v is not None}

    return await run_in_threadpool(store)
