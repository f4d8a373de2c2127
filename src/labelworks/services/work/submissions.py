"""Submitting work: labels, reviews, gold and training answers; finishing a task."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from labelworks.db.tables import Assignment, Batch, Project, Task
from labelworks.db.types import utcnow
from labelworks.errors import InvalidRequest
from labelworks.services.auth import Person
from labelworks.services.completion import complete_task
from labelworks.services.project_settings import ProjectSettings, project_settings
from labelworks.services.work import skill
from labelworks.services.work.leases import own_assignment, require_live
from labelworks.services.work.pay import pay_for
from labelworks.tasktypes import get_task_type

GOLD_PASS = 0.5  # a gold answer scoring at least this counts as accepted (and is paid)
DECISIONS = ("accept", "fix", "reject")


def submit(session: Session, person: Person, assignment_id: int, body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise InvalidRequest("must be a JSON object", "body")
    assignment = own_assignment(session, person, assignment_id)
    require_live(assignment)
    task = _locked_task(session, assignment.task_seq)
    project = session.get(Project, task.project_id)
    assert project is not None
    settings = project_settings(project.params)
    if assignment.stage == "review":
        return _review(session, assignment, task, project, settings, body)
    response = get_task_type(task.type).validate_response(task.params, body.get("response"))
    assignment.response = response
    assignment.status = "submitted"
    assignment.submitted_at = utcnow()
    if task.kind != "task":
        return _scored(session, assignment, task, project, settings, response)
    if task.status != "pending" or task.stage != "label":
        # Late answer on a task that settled early (adaptive overlap): keep it, pay it.
        if task.status == "completed":
            assignment.status = "accepted"
            pay_for(session, assignment, project)
        session.flush()
        return {"assignment_id": assignment.id, "status": assignment.status}
    task.labels_submitted += 1
    session.flush()
    if _labels_done(session, task, settings):
        finish_labeling(session, task, project, settings)
    return {"assignment_id": assignment.id, "status": assignment.status, "task_status": task.status}


def _locked_task(session: Session, seq: int) -> Task:
    stmt = select(Task).where(Task.seq == seq)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    task = session.scalar(stmt)
    assert task is not None
    return task


def _scored(
    session: Session,
    assignment: Assignment,
    task: Task,
    project: Project,
    settings: ProjectSettings,
    response: dict[str, Any],
) -> dict[str, Any]:
    expected = task.expected_response or {}
    score = get_task_type(task.type).score(task.params, response, expected)
    assignment.score = score
    if score is None:  # free-text types are not scored
        assignment.status = "accepted"
    else:
        assignment.status = "accepted" if score >= GOLD_PASS else "rejected"
        if task.kind == "gold":
            skill.record_gold(session, assignment, score, settings)
        else:
            skill.record_training(session, assignment, score, settings)
    if task.kind == "gold" and assignment.status == "accepted":
        pay_for(session, assignment, project)
    session.flush()
    # Gold looks like any other task to the worker: same answer shape, no score shown.
    return {"assignment_id": assignment.id, "status": "submitted", "task_status": "pending"}


def _submitted_labels(session: Session, task: Task) -> list[Assignment]:
    return list(
        session.scalars(
            select(Assignment)
            .where(
                Assignment.task_seq == task.seq,
                Assignment.stage == "label",
                Assignment.status == "submitted",
            )
            .order_by(Assignment.id)
        )
    )


def _labels_done(session: Session, task: Task, settings: ProjectSettings) -> bool:
    if task.labels_submitted >= settings.overlap:
        return True
    if not settings.adaptive_overlap:
        return False
    kind = get_task_type(task.type)
    labels = _submitted_labels(session, task)
    answers = [kind.categorical_label(a.response or {}) for a in labels]
    if any(a is None for a in answers):
        return False
    from labelworks.quality.adaptive import AdaptiveOverlapPolicy

    weights = skill.skills(session, task.project_id, [a.user_id for a in labels])
    n_classes = max(len(task.params.get("categories", [])), 2)
    policy = AdaptiveOverlapPolicy(threshold=0.9, min_labels=2, max_labels=settings.overlap)
    decision = policy.decide(
        [str(a) for a in answers], [weights[a.user_id] for a in labels], n_classes
    )
    return bool(decision.done)


def finish_labeling(
    session: Session, task: Task, project: Project, settings: ProjectSettings
) -> None:
    """All labels are in: go to review, or compute the answer and complete."""
    task.open_slots = 0
    if settings.review:
        task.stage = "review"
        task.open_slots = 1
        session.flush()
        return
    labels = _submitted_labels(session, task)
    _complete_with_consensus(session, task, project, labels)


def _complete_with_consensus(
    session: Session,
    task: Task,
    project: Project,
    labels: list[Assignment],
    override: dict[str, Any] | None = None,
) -> None:
    kind = get_task_type(task.type)
    if override is not None:
        answer = override
    else:
        weights = skill.skills(session, task.project_id, [a.user_id for a in labels])
        answer, _ = kind.consensus(
            task.params, [a.response or {} for a in labels], [weights[a.user_id] for a in labels]
        )
    for a in labels if override is None else []:
        a.status = "accepted"
        pay_for(session, a, project)
    complete_task(session, task, answer)


def _review(
    session: Session,
    assignment: Assignment,
    task: Task,
    project: Project,
    settings: ProjectSettings,
    body: dict[str, Any],
) -> dict[str, Any]:
    decision = body.get("decision")
    if decision not in DECISIONS:
        raise InvalidRequest(f"must be one of {', '.join(DECISIONS)}", "decision")
    fixed = None
    if decision == "fix":
        fixed = get_task_type(task.type).validate_response(task.params, body.get("response"))
    labels = _submitted_labels(session, task)
    assignment.decision = decision
    assignment.response = fixed
    assignment.status = "accepted"
    assignment.submitted_at = utcnow()
    pay_for(session, assignment, project)
    if decision == "accept":
        _complete_with_consensus(session, task, project, labels)
    elif decision == "fix":
        _reject_labels(session, task, labels)
        _complete_with_consensus(session, task, project, [], override=fixed)
    else:
        _reject_labels(session, task, labels)
        reopen(session, task, settings)
    session.flush()
    return {
        "assignment_id": assignment.id,
        "status": "accepted",
        "decision": decision,
        "task_status": task.status,
    }


def _reject_labels(session: Session, task: Task, labels: list[Assignment]) -> None:
    # An annotator's record is their assignments' statuses (see `me.my_numbers`).
    for a in labels:
        a.status = "rejected"


def reopen(session: Session, task: Task, settings: ProjectSettings) -> None:
    """Send a task back to labeling with fresh slots (review or customer rejection)."""
    task.status = "pending"
    task.stage = "label"
    task.labels_submitted = 0
    task.open_slots = settings.overlap
    task.completed_at = None
    task.updated_at = utcnow()
    if task.batch_id is not None:
        session.execute(
            update(Batch)
            .where(Batch.id == task.batch_id, Batch.status == "completed")
            .values(status="in_progress", updated_at=utcnow())
        )
    session.flush()


def rework_after_audit(session: Session, task: Task, accepted: bool) -> None:
    """A customer's audit. Acceptance leaves the accepted labels as they are (the task's
    `customer_review_status` records it); rejection marks them rejected and sends the task back."""
    if accepted:
        return
    labels = list(
        session.scalars(
            select(Assignment).where(
                Assignment.task_seq == task.seq,
                Assignment.stage == "label",
                Assignment.status == "accepted",
            )
        )
    )
    # Their earlier labels no longer count toward the task; paid work stays paid (the ledger is
    # append-only); the same annotators are not served this task again.
    session.execute(
        update(Assignment)
        .where(Assignment.id.in_([a.id for a in labels]))
        .values(status="rejected")
    )
    project = session.get(Project, task.project_id)
    assert project is not None
    reopen(session, task, project_settings(project.params))
