"""What a customer sees of the people who worked a task: each submitted label and review, with
the person anonymised ("Annotator 1", "Reviewer 1", numbered in the order they first worked it)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from labelworks.db.tables import Assignment
from labelworks.services.scope import Principal, of_org
from labelworks.services.tasks import load_task

# Leases that ended without an answer say nothing about the task.
UNANSWERED = ("leased", "skipped", "expired")


@dataclass(frozen=True)
class TaskLabel:
    who: str  # "Annotator 1", "Reviewer 1"
    stage: str  # label | review
    round: int
    status: str  # submitted | accepted | rejected | dissented | discarded
    decision: str | None  # review: accept | fix | reject
    response: dict[str, Any] | None
    submitted_at: dt.datetime | None


def task_labels(session: Session, principal: Principal, task_id: str) -> list[TaskLabel]:
    """The task's answered assignments, oldest first; another org's task is not found."""
    task, _, _ = load_task(session, principal, task_id)
    rows = session.scalars(
        select(Assignment)
        .where(
            of_org(Assignment, principal),
            Assignment.task_seq == task.seq,
            Assignment.status.not_in(UNANSWERED),
        )
        .order_by(Assignment.id)
    ).all()
    numbers: dict[tuple[str, int], int] = {}
    out = []
    for a in rows:
        n = numbers.setdefault(
            (a.stage, a.user_id), 1 + sum(1 for stage, _ in numbers if stage == a.stage)
        )
        who = f"{'Reviewer' if a.stage == 'review' else 'Annotator'} {n}"
        out.append(
            TaskLabel(who, a.stage, a.round, a.status, a.decision, a.response, a.submitted_at)
        )
    return out
