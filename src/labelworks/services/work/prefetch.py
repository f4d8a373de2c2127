"""Holding a few leases at once (the workspace prefetches the next tasks), giving unused ones
back, and submitting idempotently (a retried submission of the same answer is a success).

`leases.next_assignment` already lets a person hold several leases; this module caps how many
the workspace asks for, returns the ones already held first (a reloaded page gets its tasks
back), and releases those the person leaves without working.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from labelworks.db.tables import Assignment, Project, Task
from labelworks.db.types import utcnow
from labelworks.errors import InvalidRequest, LabelworksError
from labelworks.services.auth import Person
from labelworks.services.work import leases, submissions
from labelworks.services.work.views import lease_json
from labelworks.tasktypes import get_task_type

MAX_HOLD = 3
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
) -> list[dict[str, Any]]:
    """The person's live leases at this stage, topped up to `count` (at most MAX_HOLD)."""
    if stage not in STAGES:
        raise InvalidRequest(f"must be one of {', '.join(STAGES)}", "stage")
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_HOLD:
        raise InvalidRequest(f"must be an integer from 1 to {MAX_HOLD}", "hold")
    leases.maybe_sweep(session)
    out = []
    for assignment in held(session, person, stage, project):
        task = session.get(Task, assignment.task_seq)
        assert task is not None
        labels = leases._labels_for_review(session, task) if stage == "review" else None
        out.append(lease_json(assignment, task, labels))
    while len(out) < count:
        lease = leases.next_assignment(session, person, project, stage, lease_seconds)
        if lease is None:
            break
        out.append(lease)
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
    if assignment.stage == "review" and body.get("decision") == "reject":
        reason = body.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            raise InvalidRequest("is required when rejecting", "reason")
    done = assignment.status not in ("leased", "skipped", "expired")
    if done and _same_answer(session, assignment, body):
        return {"assignment_id": assignment.id, "status": "submitted", "replayed": True}
    return submissions.submit(session, person, assignment_id, body)


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
        response = kind.validate_response(task.params, body.get("response"))
    except LabelworksError:
        return False
    return response == assignment.response
