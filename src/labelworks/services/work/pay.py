"""The earnings ledger: append-only, one row per accepted piece of work."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from labelworks.db.tables import Assignment, Earning, Project


def pay_for(session: Session, assignment: Assignment, project: Project) -> None:
    """Credit accepted work at the project's rate (idempotent per assignment)."""
    rate = project.rate_per_review if assignment.stage == "review" else project.rate_per_label
    exists_already = session.scalar(
        select(Earning.id).where(Earning.assignment_id == assignment.id)
    )
    if exists_already is not None:
        return
    session.add(
        Earning(
            user_id=assignment.user_id,
            org_id=assignment.org_id,
            project_id=assignment.project_id,
            assignment_id=assignment.id,
            kind=assignment.stage,
            amount=rate,
        )
    )


def total_earnings(session: Session, user_id: int) -> float:
    return float(
        session.scalar(
            select(func.coalesce(func.sum(Earning.amount), 0.0)).where(Earning.user_id == user_id)
        )
        or 0.0
    )
