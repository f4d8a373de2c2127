"""`GET /work/me`: an annotator's own numbers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from labelworks.db.tables import Assignment, WorkerProjectStats
from labelworks.services.auth import Person
from labelworks.services.work.pay import total_earnings

# Label assignments that count as work done (whatever became of them).
LABELS_DONE = ("submitted", "accepted", "rejected", "dissented", "discarded")


def my_numbers(session: Session, person: Person) -> dict[str, Any]:
    counts = dict(
        session.execute(
            select(Assignment.status, func.count())
            .where(
                Assignment.user_id == person.user_id,
                Assignment.stage == "label",
                Assignment.status.in_(LABELS_DONE),
            )
            .group_by(Assignment.status)
        ).all()
    )
    reviews = (
        session.scalar(
            select(func.count())
            .select_from(Assignment)
            .where(
                Assignment.user_id == person.user_id,
                Assignment.stage == "review",
                Assignment.status == "accepted",
            )
        )
        or 0
    )
    stats = list(
        session.scalars(
            select(WorkerProjectStats).where(WorkerProjectStats.user_id == person.user_id)
        )
    )
    scores = [s for row in stats for s in row.gold_scores]
    return {
        "email": person.email,
        "role": person.role,
        "labels_done": sum(counts.values()),
        "labels_accepted": counts.get("accepted", 0),
        "labels_rejected": counts.get("rejected", 0),
        "labels_dissented": counts.get("dissented", 0),
        "reviews_done": reviews,
        "gold_answered": len(scores),
        "gold_accuracy": round(sum(scores) / len(scores), 4) if scores else None,
        "earnings": round(total_earnings(session, person.user_id), 2),
        "paused": any(row.paused for row in stats),
        "paused_projects": len([row for row in stats if row.paused]),
    }
