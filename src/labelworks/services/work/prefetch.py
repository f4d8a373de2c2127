"""Holding a few leases at once (the workspace prefetches the next tasks), giving unused ones
back, and submitting idempotently (a retried submission of the same answer is a success).

`leases.next_assignment` already lets a person hold several leases; this module caps how many
the workspace asks for, returns the ones already held first (a reloaded page gets its tasks
back), and releases those the person leaves without working.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from labelworks.db.tables import Assignment, Project, ReviewReason, Task, WorkDraft
from labelworks.db.types import iso, utcnow
from labelworks.errors import InvalidRequest, LabelworksError
from labelworks.services import trail
from labelworks.services.auth import Person
from labelworks.services.work import leases, submissions
from labelworks.services.work.views import lease_json
from labelworks.tasktypes import get_task_type

MAX_HOLD = 3
MAX_REASON = 2000
STAGES = ("label", "review")


def held(
    session: Session, person: Person, stage: str, project: str | None = None
) -> list[Assignment]:
    stmt = (
        select(Assignment)
        .where(
            Assignment.user_id == person.user_id,
            Assignment.stage == stage,
            Assignment.status == "leased",
            Assignment.lease_expires_at > utcnow(),
        )
        .order_by(Assignment.id)
    )
    if project is not None:
        stmt = stmt.join(Project, Project.id == Assignment.project_id).where(
            Project.name == project
        )
    return list(session.scalars(stmt))


def hold(
    session: Session,
    person: Person,
    project: str | None,
    stage: str,
    count: int,
    lease_seconds: int,
    exclude: Collection[int] = (),
) -> list[dict[str, Any]]:
    """The person's live leases at this stage, topped up to `count` (at most MAX_HOLD).

    `exclude`: leases the browser is submitting right now. They are still held until their
    submission lands, but neither count nor come back, so the top-up does not wait for them."""
    if stage not in STAGES:
        raise InvalidRequest(f"must be one of {', '.join(STAGES)}", "stage")
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_HOLD:
        raise InvalidRequest(f"must be an integer from 1 to {MAX_HOLD}", "hold")
    leases.maybe_sweep(session)
    out = []
    resumed: dict[int, list[str]] = {}  # org -> task ids served again (trail)
    for assignment in held(session, person, stage, project):
        if assignment.id in exclude:
            continue
        task = session.get(Task, assignment.task_seq)
        assert task is not None
        resumed.setdefault(task.org_id, []).append(task.task_id)
        labels = leases.labels_for_review(session, task) if stage == "review" else None
        lease = lease_json(assignment, task, labels)
        draft = session.get(WorkDraft, assignment.id)
        if draft is not None:
            lease["draft"] = draft.response
        out.append(lease)
    for org_id, task_ids in resumed.items():
        trail.record(session, person, "work.resume", task_ids, org_id=org_id, object_type="task")
    while len(out) < count:
        got = leases.next_assignment(session, person, project, stage, lease_seconds)
        if isinstance(got, str):  # no more work: `got` is the reason
            break
        out.append(got)
    return [_with_consensus(lease) for lease in out] if stage == "review" else out


def _with_consensus(lease: dict[str, Any]) -> dict[str, Any]:
    """A reviewer sees the annotators' consensus (equal weights) next to their labels."""
    task = lease["task"]
    responses = [label["response"] or {} for label in task.get("labels") or []]
    if responses:
        try:
            answer, _ = get_task_type(task["type"]).consensus(
                task["params"], responses, [1.0] * len(responses)
            )
            task["consensus"] = answer
        except Exception:  # a reviewer can still judge the labels without it
            task["consensus"] = None
    return lease


def release(session: Session, person: Person, assignment_ids: list[int]) -> list[int]:
    """Give back leases the person holds but will not work (they left the workspace)."""
    released = []
    for assignment_id in assignment_ids:
        try:
            assignment = leases.own_assignment(session, person, assignment_id)
        except LabelworksError:
            continue
        if assignment.status != "leased":
            continue
        # An unworked lease leaves no trace: the row goes, so the task can come back to this
        # person later (the unique (task, user, stage) index would otherwise keep it away).
        task_seq, stage = assignment.task_seq, assignment.stage
        released.append(assignment.id)
        draft = session.get(WorkDraft, assignment.id)
        if draft is not None:
            session.delete(draft)
        session.delete(assignment)
        session.flush()
        leases.release_slots(session, {task_seq: 1}, stage)
    return released


def submit_once(session: Session, person: Person, assignment_id: int, body: Any) -> dict[str, Any]:
    """`submissions.submit`, except that the same body sent again for an assignment already
    submitted answers success (the browser retries with the assignment id as idempotency key)
    and changes nothing."""
    if not isinstance(body, dict):
        raise InvalidRequest("must be a JSON object", "body")
    assignment = leases.own_assignment(session, person, assignment_id)
    reason = body.get("reason")
    if reason is not None and (not isinstance(reason, str) or len(reason) > MAX_REASON):
        raise InvalidRequest(f"must be a string of at most {MAX_REASON} characters", "reason")
    rejecting = assignment.stage == "review" and body.get("decision") == "reject"
    if rejecting and (not reason or not reason.strip()):
        raise InvalidRequest("is required when rejecting", "reason")
    done = assignment.status not in ("leased", "skipped", "expired")
    if done and _same_answer(session, assignment, body):
        return {"assignment_id": assignment.id, "status": "submitted", "replayed": True}
    result = submissions.submit(session, person, assignment_id, body)
    draft = session.get(WorkDraft, assignment.id)
    if draft is not None:
        session.delete(draft)
    if assignment.stage == "review" and reason and reason.strip():
        session.add(ReviewReason(assignment_id=assignment.id, reason=reason.strip()))
    session.flush()
    return result


def save_draft(session: Session, person: Person, assignment_id: int, body: Any) -> dict[str, Any]:
    """Keep the answer in progress on a live lease (the workspace sends it every 30 s)."""
    if not isinstance(body, dict) or "response" not in body:
        raise InvalidRequest("must be an object with the draft as `response`", "body")
    assignment = leases.own_assignment(session, person, assignment_id)
    leases.require_live(assignment)
    draft = session.get(WorkDraft, assignment.id)
    if draft is None:
        draft = WorkDraft(assignment_id=assignment.id)
        session.add(draft)
    draft.response = body["response"]
    draft.updated_at = utcnow()
    session.flush()
    return {"assignment_id": assignment.id, "saved_at": iso(draft.updated_at)}


def review_reason(session: Session, assignment_id: int) -> str | None:
    row = session.get(ReviewReason, assignment_id)
    return None if row is None else row.reason


def _same_answer(session: Session, assignment: Assignment, body: dict[str, Any]) -> bool:
    task = session.get(Task, assignment.task_seq)
    assert task is not None
    kind = get_task_type(task.type)
    if assignment.stage == "review":
        if body.get("decision") != assignment.decision:
            return False
        if assignment.decision != "fix":
            return True
    try:
        response = kind.validate_response(task.params, body.get("response") or {})
    except LabelworksError:
        return False
    return response == assignment.response
