"""/work/...: the worker API (annotators and reviewers, Bearer token).

The loop: `POST /work/next` leases an assignment (204 when there is none; `?stage=review` for
review work), the worker labels it and `POST /work/assignments/{id}/submit`s, or `.../skip`s it;
`.../heartbeat` keeps a long lease alive.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import FileResponse

from labelworks.api.body import body_of
from labelworks.api.deps import DbDep, object_body
from labelworks.api.file_responses import file_response
from labelworks.api.policies.base import authorize_worker
from labelworks.api.policies.review import ReviewPolicy
from labelworks.api.policies.work import WorkPolicy
from labelworks.api.responses import fast_json
from labelworks.api.schemas.common import INT64_MAX
from labelworks.api.schemas.work import (
    AssignmentOut,
    LeaseOut,
    NextBody,
    NumbersOut,
    SubmitBody,
    SubmitOut,
)
from labelworks.errors import InvalidRequest
from labelworks.services.auth import Person
from labelworks.services.work import leases, me, submissions

router = APIRouter(prefix="/work", tags=["work"])
Json = dict[str, Any]
AssignmentId = Annotated[int, Path(ge=1, le=INT64_MAX, description="from /work/next")]
Acting = Annotated[Person, authorize_worker(WorkPolicy.act)]


@router.post(
    "/next",
    summary="Lease the next assignment",
    response_model=None,
    responses={
        200: {"model": AssignmentOut},
        204: {"description": "no work for you right now"},
    },
)
def next_work(
    body: Annotated[Any, body_of(NextBody)],
    person: Annotated[Person, authorize_worker(WorkPolicy.next)],
    db: DbDep,
    stage: Literal["label", "review"] | None = None,
) -> Json | Response:
    """Lease the next assignment. Without `stage`, reviewers and admins get review work first,
    then label work; annotators label. No work: 204 with a `Labelworks-Reason` header
    (no-eligible-work, not-on-team, paused-low-gold-accuracy, training-required,
    no-such-project). The lease expires unless the assignment is submitted, skipped or kept
    alive with heartbeat."""
    if stage == "review":
        ReviewPolicy.review(person)
    body = object_body(body)
    project = body.get("project")
    if project is not None and not isinstance(project, str):
        raise InvalidRequest("must be a string", "project")
    with db.write() as session:
        lease = leases.next_assignment(session, person, project, stage, db.settings.lease_seconds)
    if isinstance(lease, str):
        return Response(status_code=204, headers={"Labelworks-Reason": lease})
    return fast_json(lease)


@router.post(
    "/assignments/{assignment_id}/submit",
    summary="Submit a label or a review",
    response_model=None,
    responses={200: {"model": SubmitOut}},
)
def submit(
    assignment_id: AssignmentId,
    body: Annotated[Any, body_of(SubmitBody, validate=False)],
    person: Acting,
    db: DbDep,
) -> Response:
    """A label: `{"response": ...}` in the task type's shape. A review: `{"decision": "accept"}`,
    `{"decision": "reject"}` or `{"decision": "fix", "response": ...}`."""
    with db.write() as session:
        result = submissions.submit(session, person, assignment_id, body)
    return fast_json(result)


@router.post(
    "/assignments/{assignment_id}/skip",
    summary="Give an assignment back",
    response_model=None,
    responses={200: {"model": SubmitOut}},
)
def skip(assignment_id: AssignmentId, person: Acting, db: DbDep) -> Json:
    with db.write() as session:
        return leases.skip(session, person, assignment_id)


@router.post(
    "/assignments/{assignment_id}/heartbeat",
    summary="Extend an assignment's lease",
    response_model=None,
    responses={200: {"model": LeaseOut}},
)
def heartbeat(assignment_id: AssignmentId, person: Acting, db: DbDep) -> Json:
    with db.write() as session:
        return leases.heartbeat(session, person, assignment_id, db.settings.lease_seconds)


@router.get(
    "/me", summary="My numbers", response_model=None, responses={200: {"model": NumbersOut}}
)
def my_numbers(person: Annotated[Person, authorize_worker(WorkPolicy.me)], db: DbDep) -> Json:
    with db.read() as session:
        return me.my_numbers(session, person)


@router.get(
    "/files/{file_id}",
    summary="A task's media",
    response_class=FileResponse,
    responses={
        200: {
            "description": "the file's bytes",
            "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
def file_content(
    file_id: str,
    person: Annotated[Person, authorize_worker(WorkPolicy.media)],
    db: DbDep,
    request: Request,
) -> Response:
    """A task's uploaded media, for a worker who holds a lease in the file's org."""
    with db.read() as session:
        record = leases.file_for_worker(session, person, file_id)
    return file_response(db, record, request.headers.get("range"))
