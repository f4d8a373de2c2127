"""/work/...: the worker API (annotators and reviewers, Bearer token)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Response
from fastapi.responses import FileResponse

from labelworks.api.deps import DbDep, JsonBody, PersonDep, object_body
from labelworks.api.file_responses import file_response
from labelworks.api.responses import fast_json
from labelworks.errors import InvalidRequest
from labelworks.services.work import leases, me, submissions

router = APIRouter(prefix="/work", tags=["work"])
Json = dict[str, Any]


@router.post("/next", response_model=None)
def next_work(
    body: JsonBody,
    person: PersonDep,
    db: DbDep,
    stage: Literal["label", "review"] | None = None,
) -> Json | Response:
    """Lease the next task. Without `stage`, reviewers and admins get review work first, then
    label work. No work: 204 with a `Labelworks-Reason` header (no-eligible-work, not-on-team,
    paused-low-gold-accuracy, training-required, no-such-project)."""
    body = object_body(body)
    project = body.get("project")
    if project is not None and not isinstance(project, str):
        raise InvalidRequest("must be a string", "project")
    with db.write() as session:
        lease = leases.next_assignment(session, person, project, stage, db.settings.lease_seconds)
    if isinstance(lease, str):
        return Response(status_code=204, headers={"Labelworks-Reason": lease})
    return fast_json(lease)


@router.post("/assignments/{assignment_id}/submit", response_model=None)
def submit(assignment_id: int, body: JsonBody, person: PersonDep, db: DbDep) -> Response:
    with db.write() as session:
        result = submissions.submit(session, person, assignment_id, body)
    return fast_json(result)


@router.post("/assignments/{assignment_id}/skip")
def skip(assignment_id: int, person: PersonDep, db: DbDep) -> Json:
    with db.write() as session:
        return leases.skip(session, person, assignment_id)


@router.post("/assignments/{assignment_id}/heartbeat")
def heartbeat(assignment_id: int, person: PersonDep, db: DbDep) -> Json:
    with db.write() as session:
        return leases.heartbeat(session, person, assignment_id, db.settings.lease_seconds)


@router.get("/me")
def my_numbers(person: PersonDep, db: DbDep) -> Json:
    with db.read() as session:
        return me.my_numbers(session, person)


@router.get("/files/{file_id}")
def file_content(file_id: str, person: PersonDep, db: DbDep) -> FileResponse:
    """A task's uploaded media, for a worker who holds a lease in the file's org."""
    with db.read() as session:
        record = leases.file_for_worker(session, person, file_id)
    return file_response(db.settings, record)
