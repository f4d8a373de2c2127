"""Submitting work: labels, reviews, gold and training answers; finishing a task."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from labelworks.db.tables import Assignment, Project, Task
from labelworks.db.types import utcnow
from labelworks.errors import InvalidRequest, LabelworksError
from labelworks.services import counters, lifecycle, trail, walls
from labelworks.services.auth import Person
from labelworks.services.lifecycle import Actor
from labelworks.services.project_settings import ProjectSettings, project_settings
from labelworks.services.work import skill
from labelworks.services.work.leases import own_assignment, require_live, submitted_labels
from labelworks.services.work.pay import pay_for
from labelworks.tasktypes import get_task_type

GOLD_PASS = 0.5  # a gold answer scoring at least this counts as accepted (and is paid)
# Scored against the consensus answer, a label below GOLD_PASS dissents: it is marked so, not
# accepted, and earns nothing (free-text types, which are not scored, are all accepted).
DISSENTED = "dissented"
DECISIONS = ("accept", "fix", "reject")


def submit(session: Session, person: Person, assignment_id: int, body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise InvalidRequest("must be a JSON object", "body")
    assignment = own_assignment(session, person, assignment_id)
    require_live(assignment)
    task = _locked_task(session, assignment.task_seq)
    # After the task's lock, in the order `next` takes them (task, then this row).
    walls.mark_worked(session, person.user_id, assignment.org_id)

    action = "work.review" if assignment.stage == "review" else "work.submit"
    trail.record(session, person, action, [task.task_id], org_id=task.org_id, object_type="task")
    project = session.get(Project, task.project_id)
    assert project is not None
    settings = project_settings(project.params)
    if assignment.stage == "review":
        return _review(session, assignment, task, project, settings, body)
    response = get_task_type(task.type).validate_response(task.params, body.get("response") or {})
    assignment.response = response
    assignment.status = "submitted"
    assignment.submitted_at = utcnow()
    if task.kind != "task":
        return _scored(session, assignment, task, project, settings, response)
    if task.status != "pending" or task.stage != "label" or assignment.round != task.round:
        # Late answer on a task that settled early (adaptive overlap): keep it, pay it.
        if task.status == "completed":
            assignment.status = "accepted"
            pay_for(session, assignment, project)
        session.flush()
        counters.activity(session, task, labels=1)
        return {"assignment_id": assignment.id, "status": assignment.status}
    task.labels_submitted += 1
    session.flush()
    saved = 0
    if _labels_done(session, task, settings):
        # Adaptive overlap settled the task before `overlap` labels: the rest are saved.
        saved = max(settings.overlap - task.labels_submitted, 0)
        finish_labeling(session, task, project, settings, Actor.worker(person.user_id))
    # Activity rows after the count rows (lifecycle): one lock order for every writer.
    counters.activity(session, task, labels=1, labels_saved=saved)
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
    if task.kind == "gold" and score is not None:
        correct = int(assignment.status == "accepted")
        counters.activity(session, task, gold_answered=1, gold_correct=correct)
    # Gold looks like any other task to the worker: same answer shape, no score shown.
    return {"assignment_id": assignment.id, "status": "submitted", "task_status": "pending"}


def _labels_done(session: Session, task: Task, settings: ProjectSettings) -> bool:
    if task.labels_submitted >= settings.overlap:
        return True
    if not settings.adaptive_overlap:
        return False
    kind = get_task_type(task.type)
    labels = submitted_labels(session, task)
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
    session: Session, task: Task, project: Project, settings: ProjectSettings, actor: Actor
) -> None:
    """All labels are in: go to review, or compute the answer and complete."""
    task.open_slots = 0
    if settings.review:
        lifecycle.task_to_review(session, task, actor)
        return
    labels = submitted_labels(session, task)
    _complete_with_consensus(session, task, project, labels, actor)


def _complete_with_consensus(
    session: Session, task: Task, project: Project, labels: list[Assignment], actor: Actor
) -> None:
    kind = get_task_type(task.type)
    weights = skill.skills(session, task.project_id, [a.user_id for a in labels])
    answer, _ = kind.consensus(
        task.params, [a.response or {} for a in labels], [weights[a.user_id] for a in labels]
    )
    dissent = 0
    for a in labels:
        score = _agreement(kind, task.params, a.response or {}, answer) if len(labels) > 1 else None
        if score is not None and score < GOLD_PASS:
            a.status = DISSENTED
            dissent += 1
        else:
            a.status = "accepted"
            pay_for(session, a, project)
    lifecycle.complete_task(
        session, task, answer, actor, {"labels": len(labels), "dissenting": dissent}
    )


def _agreement(
    kind: Any, params: dict[str, Any], response: dict[str, Any], answer: dict[str, Any]
) -> float | None:
    """A label's score against the consensus answer (the gold scorer). A type whose scorer
    cannot grade a consensus answer leaves the label accepted rather than failing the
    completion."""
    try:
        score = kind.score(params, response, answer)
    except (LabelworksError, ArithmeticError, LookupError, TypeError, ValueError):
        return None
    return None if score is None else float(score)


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
        fixed = get_task_type(task.type).validate_response(task.params, body.get("response") or {})
    labels = submitted_labels(session, task)
    assignment.decision = decision
    assignment.response = fixed
    assignment.status = "accepted"
    assignment.submitted_at = utcnow()
    pay_for(session, assignment, project)
    actor = Actor.worker(assignment.user_id)
    if decision == "accept":
        _complete_with_consensus(session, task, project, labels, actor)
    elif decision == "fix":
        assert fixed is not None
        # A label equal to the fixed answer was right: accepted and paid as such.
        matching = 0
        for a in labels:
            if a.response == fixed:
                a.status = "accepted"
                pay_for(session, a, project)
                matching += 1
            else:
                a.status = "rejected"
        lifecycle.complete_task(
            session, task, fixed, actor, {"decision": "fix", "labels_matching_fix": matching}
        )
    else:
        _reject_labels(session, task, labels)
        lifecycle.rework(session, task, settings, actor, "review_rejected")
    session.flush()
    counters.activity(session, task, **{f"review_{decision}": 1})
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
